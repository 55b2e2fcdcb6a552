// The `sluice` command: run, validate, checkpoint and delta subcommands.
import { Command, Option } from 'commander';
import { registry } from '../builtins/index.ts';
import { ConfigError, SluiceError, errorMessage } from '../core/errors.ts';
import { createLogger, type LogLevel } from '../core/logger.ts';
import { runCommand } from './run.ts';
import { validateCommand } from './validate.ts';
import { checkpointCommands } from './checkpoint.ts';
import { parsePort, statusCommand } from './status.ts';
import { deltaCommands } from './delta.ts';
import { VERSION } from '../version.ts';

const program = new Command('sluice')
  .description('Streaming data pipelines: sources -> stages -> exactly-once sinks, in one process.')
  .version(VERSION)
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'))
  .showHelpAfterError();

const logger = () => {
  const o = program.opts<{ logLevel: LogLevel; logFormat: 'text' | 'json' }>();
  return createLogger({ level: o.logLevel, format: o.logFormat });
};

program
  .command('run')
  .description('run a pipeline from its YAML config until stopped (Ctrl-C finishes the current batch)')
  .argument('<config>', 'pipeline YAML file')
  .option('--available-now', 'process everything available now in batches within the limits, then stop')
  .option('--once', 'process everything available now in one batch, then stop')
  .addOption(new Option('--progress <format>', 'progress lines on stdout').choices(['text', 'json', 'none']))
  .addOption(new Option('--http-port <port>', 'serve /metrics, /health, /ready and the dashboard on this port (0: any free port)').argParser(parsePort))
  .action(async (config: string, o: { availableNow?: boolean; once?: boolean; progress?: 'text' | 'json' | 'none'; httpPort?: number }) => {
    process.exitCode = await runCommand(config, o, registry, logger());
  });

program
  .command('validate')
  .description('check a pipeline config without running it; lists every problem')
  .argument('<config>', 'pipeline YAML file')
  .action(async (config: string) => {
    process.exitCode = await validateCommand(config, registry);
  });

statusCommand(program);
checkpointCommands(program);
deltaCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof SluiceError) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`error: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  }
}
