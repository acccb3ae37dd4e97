/**
 * Entry point of the off-loop embedder: runs in a worker thread or a child process, loads the
 * model once and answers embed requests one at a time (under ts-jest it runs through ts-node).
 */
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { EmbedderOptions } from './embedder';
import { TransformersEmbedder } from './transformers-embedder';
import { HostMessage, HostRequest } from './host-protocol';

const send: (message: HostMessage, transfer?: ArrayBuffer[]) => void = parentPort
  ? (message, transfer) => parentPort!.postMessage(message, transfer ?? [])
  : (message) => process.send!(message); // 'advanced' serialization keeps Float32Arrays

async function main(options: EmbedderOptions): Promise<void> {
  // Before the model loads: onnxruntime's threads inherit this thread's niceness (Linux applies
  // it per thread, so in a worker thread the rest of the process keeps its priority).
  if (options.niceness) {
    try {
      os.setPriority(options.niceness);
    } catch {
      // not permitted here: run at normal priority
    }
  }
  let embedder: TransformersEmbedder;
  try {
    embedder = await TransformersEmbedder.load(options);
  } catch (error) {
    send({ type: 'load-failed', message: (error as Error).message });
    return;
  }
  send({ type: 'ready', dimensions: embedder.dimensions });
  let queue = Promise.resolve();
  const onRequest = (request: HostRequest) => {
    queue = queue.then(async () => {
      try {
        const vectors = await embedder.embed(request.texts);
        send(
          { type: 'result', id: request.id, vectors },
          vectors.map((v) => v.buffer as ArrayBuffer),
        );
      } catch (error) {
        send({ type: 'error', id: request.id, message: (error as Error).message });
      }
    });
  };
  if (parentPort) parentPort.on('message', onRequest);
  else process.on('message', (message) => onRequest(message as HostRequest));
}

if (parentPort) {
  void main(workerData as EmbedderOptions);
} else {
  process.once('message', (options) => void main(options as EmbedderOptions));
}
