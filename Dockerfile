# Build stage: compile TypeScript with dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY tools tools
RUN npm run build

# Runtime stage: production dependencies only, non-root, the default model downloaded at build
# time so containers start offline.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip MODEL_CACHE_DIR=/models
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
ARG EMBEDDING_MODEL=Xenova/all-MiniLM-L6-v2
RUN mkdir -p /models && node -e "import('@huggingface/transformers').then(async ({env,pipeline})=>{env.cacheDir='/models';env.localModelPath='/models';await pipeline('feature-extraction',process.argv[1],{dtype:'q8'});})" "$EMBEDDING_MODEL" \
  && chown -R node:node /models
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
