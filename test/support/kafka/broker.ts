// Test harness: a real Kafka-protocol broker (librdkafka's mock cluster) started per test file.
//
//   startBroker() --spawn--> python3 mock_cluster.py --stdout--> "ready 127.0.0.1:P1,..."
//        |                                   ^ stdin: "create <topic> <n>" -> "ok"
//        +-- TCP probe until a broker answers; stop(): "quit", then SIGKILL by pid if needed
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface, type Interface } from 'node:readline';

const LAUNCHER = fileURLToPath(new URL('./mock_cluster.py', import.meta.url));
export const INSTALL_COMMAND = 'apt-get update && apt-get install -y kcat';

export interface TestBroker {
  /** Comma-separated bootstrap servers, as `kafka.bootstrap.servers` takes them. */
  readonly bootstrap: string;
  readonly brokers: readonly string[];
  readonly pid: number;
  /** Creates a topic with exactly `partitions` partitions. */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Makes the next `count` requests of a Kafka API (0 Produce, 1 Fetch, 2 ListOffsets, 3 Metadata)
   * fail with the given Kafka error code, on whichever broker receives them. */
  failRequests(apiKey: number, count: number, errorCode: number): Promise<void>;
  /** Drops the injected errors still pending for an API. */
  clearFailures(apiKey: number): Promise<void>;
  /** Creates a topic under a name no other test uses and returns the name. */
  uniqueTopic(prefix: string, partitions: number): Promise<string>;
  stop(): Promise<void>;
}

/** Makes sure kcat and librdkafka are present: installs them when running as root, else fails with the command. */
export function ensureKcat(): void {
  if (hasKcat()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`kcat (and librdkafka1) is required for the Kafka tests; install it with: sudo ${INSTALL_COMMAND}`);
  }
  const r = spawnSync('sh', ['-c', `${INSTALL_COMMAND} >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0 || !hasKcat()) {
    throw new Error(`installing kcat failed (${INSTALL_COMMAND}): ${r.stderr.toString().slice(-500)}`);
  }
}

function hasKcat(): boolean {
  const r = spawnSync('kcat', ['-V'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export async function startBroker(opts: { brokers?: number } = {}): Promise<TestBroker> {
  ensureKcat();
  const child = spawn('python3', [LAUNCHER, String(opts.brokers ?? 3)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start python3 for the mock Kafka cluster');
  // Never leave a broker behind, even when a test file crashes.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const replies = new ReplyReader(createInterface({ input: child.stdout }), child);
  let first: string;
  try {
    first = await replies.next(20_000);
  } catch (err) {
    killOnExit();
    process.off('exit', killOnExit);
    throw err;
  }
  if (!first.startsWith('ready ')) {
    killOnExit();
    process.off('exit', killOnExit);
    throw new Error(`mock Kafka cluster failed to start: ${first}`);
  }
  const brokers = first.slice('ready '.length).trim().split(',');
  await waitForPort(brokers[0] ?? '', 10_000);

  let queue: Promise<unknown> = Promise.resolve();
  const command = (line: string): Promise<string> => {
    const run = queue.then(() => {
      child.stdin?.write(line + '\n');
      return replies.next(10_000);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const createTopic = async (name: string, partitions: number): Promise<void> => {
    const reply = await command(`create ${name} ${partitions}`);
    if (reply !== 'ok') throw new Error(`creating topic ${name} failed: ${reply}`);
  };
  let stopped = false;
  return {
    bootstrap: brokers.join(','),
    brokers,
    pid,
    createTopic,
    async failRequests(apiKey, count, errorCode) {
      const reply = await command(`errors ${apiKey} ${count} ${errorCode}`);
      if (reply !== 'ok') throw new Error(`injecting errors failed: ${reply}`);
    },
    async clearFailures(apiKey) {
      const reply = await command(`clear ${apiKey}`);
      if (reply !== 'ok') throw new Error(`clearing errors failed: ${reply}`);
    },
    async uniqueTopic(prefix, partitions) {
      const name = `${prefix}-${randomBytes(4).toString('hex')}`;
      await createTopic(name, partitions);
      return name;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.stdin?.end('quit\n');
      const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killOnExit);
    },
  };
}

/** Hands out stdout lines one at a time, failing when the launcher exits or stays silent. */
class ReplyReader {
  private readonly lines: string[] = [];
  private waiter: ((line: string | Error) => void) | undefined;

  constructor(rl: Interface, child: ChildProcess) {
    rl.on('line', (line) => this.push(line));
    child.once('exit', (code, signal) => this.push(new Error(`mock Kafka cluster exited (code ${code}, signal ${signal})`)));
    child.once('error', (err) => this.push(err));
  }

  private push(item: string | Error): void {
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w(item);
    } else if (typeof item === 'string') {
      this.lines.push(item);
    }
  }

  next(timeoutMs: number): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`mock Kafka cluster did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (item) => {
        clearTimeout(timer);
        if (typeof item === 'string') resolve(item);
        else reject(item);
      };
    });
  }
}

async function waitForPort(hostPort: string, timeoutMs: number): Promise<void> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mock Kafka broker ${hostPort} does not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads every message of a topic with kcat (an independent librdkafka consumer), one formatted line each. */
export function kcatConsume(bootstrap: string, topic: string, format = '%k\\t%s\\n'): string[] {
  const r = spawnSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-f', format], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`kcat failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}
