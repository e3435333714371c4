// The parts of the engine's Swarm objects (API 1.41+) this backend reads and writes.

export interface SwarmMount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

export interface SwarmContainerSpec {
  Image: string;
  Labels: Record<string, string>;
  User?: string;
  Env?: string[];
  Args?: string[];
  Mounts: SwarmMount[];
  CapabilityDrop?: string[];
  CapabilityAdd?: string[];
  Privileges?: { NoNewPrivileges?: boolean };
  /** nanoseconds */
  StopGracePeriod?: number;
}

export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: SwarmContainerSpec;
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any' };
    Networks?: Array<{ Target: string }>;
    Placement: { Constraints: string[] };
    Resources: { Limits: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number } };
    ForceUpdate?: number;
  };
  Mode: { Replicated: { Replicas: number } };
}

export interface SwarmService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  Spec: SwarmServiceSpec;
}

/** Task states, in the order a task moves through them (the last five are final). */
export type TaskState =
  | 'new' | 'allocated' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Version: { Index: number };
  CreatedAt: string;
  DesiredState: TaskState;
  Status: {
    State: TaskState;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
  };
}

export interface SwarmNode {
  ID: string;
  Spec: { Labels?: Record<string, string>; Availability: 'active' | 'pause' | 'drain'; Role: 'manager' | 'worker' };
  Description: { Hostname: string };
  Status: { State: 'unknown' | 'down' | 'ready' | 'disconnected'; Addr?: string };
}
