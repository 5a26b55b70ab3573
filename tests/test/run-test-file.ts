// Runs one node:test file in a child `npx node --test` process and gives back its exit
// code and output, for tests of hooks whose job is to make a test fail.
import { execFile } from 'node:child_process';

export interface TestFileRun {
  readonly code: number;
  /** stdout and stderr together. */
  readonly output: string;
}

export function runTestFile(file: string, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<TestFileRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // Not a subtest of this runner: the child reports on its own.
  delete env['NODE_TEST_CONTEXT'];
  return new Promise((resolve) => {
    execFile('npx', ['node', '--test', '--test-reporter=spec', file], { cwd: options.cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
