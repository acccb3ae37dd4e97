/** Messages between OffLoopEmbedder and embedding-host. */
export interface HostRequest {
  id: number;
  texts: string[];
}

export type HostMessage =
  | { type: 'ready'; dimensions: number }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; message: string };
