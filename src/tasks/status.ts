/** The states of a task run, apart so the model module can use them without the rest. */

/** The states of a TaskResult (Django's TaskResultStatus). */
export const TaskResultStatus = Object.freeze({
  /** Enqueued, or waiting for its next attempt after a failure. */
  READY: 'READY',
  /** An attempt is running. */
  RUNNING: 'RUNNING',
  /** Finished without an error; `returnValue` holds what it returned. */
  SUCCESSFUL: 'SUCCESSFUL',
  /** Finished with an error and no attempt left: the dead-letter state. `errors` lists each attempt. */
  FAILED: 'FAILED',
} as const);

/** One of TaskResultStatus's values. */
export type TaskResultStatus = (typeof TaskResultStatus)[keyof typeof TaskResultStatus];
