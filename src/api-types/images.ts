/**
 * Docker Engine API wire types for images (swagger v1.51 `ImageSummary`, `ImageInspect`,
 * `HistoryResponseItem`, `ImageDeleteResponseItem`) and the JSON message stream that pull,
 * push, load, import and build answer with.
 */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  SharedSize: number;
  /** Only for API < 1.44. */
  VirtualSize?: number;
  Labels: Record<string, string>;
  Containers: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  /** Only for API < 1.44. */
  VirtualSize?: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryResponseItem {
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export type ImageDeleteResponseItem = { Untagged: string } | { Deleted: string };

export interface ImagePruneResponse {
  ImagesDeleted: ImageDeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

/** One line of Docker's JSON message stream (`jsonmessage.JSONMessage`). */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { code?: number; message: string };
}
