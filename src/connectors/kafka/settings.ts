// Client settings shared by the Kafka source and sink: bootstrap servers, security and timeouts in Kafka's
// own `kafka.*` names, mapped onto kafkajs options (kafkajs has no generic pass-through, so unknown keys fail).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { positiveInt } from '../../config/fields.ts';
import { ErrorCodes, SluiceError } from '../../core/errors.ts';

const d = (description: string) => ({ description });

/** Config keys every Kafka component accepts. */
export const clientShape = {
  'kafka.bootstrap.servers': z.string().min(1).optional().meta(d('Comma-separated host:port list of the Kafka brokers to bootstrap from.')),
  'bootstrap.servers': z.string().min(1).optional().meta(d('Alias of `kafka.bootstrap.servers` (the name used in pipeline YAML).')),
  'kafka.client.id': z.string().min(1).optional().meta(d('Client id sent to the brokers; defaults to `sluice-<pipeline>`.')),
  'kafka.security.protocol': z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).optional().meta(d('PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL.')),
  'kafka.sasl.mechanism': z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional().meta(d('SASL mechanism: PLAIN (default), SCRAM-SHA-256 or SCRAM-SHA-512.')),
  'kafka.sasl.jaas.config': z.string().optional().meta(d('JAAS line with `username="..." password="..."` (PlainLoginModule or ScramLoginModule), as in Spark.')),
  'kafka.sasl.username': z.string().optional().meta(d('SASL user name (instead of a JAAS line).')),
  'kafka.sasl.password': z.string().optional().meta(d('SASL password (instead of a JAAS line).')),
  'kafka.ssl.ca.location': z.string().optional().meta(d('PEM file of the certificate authorities to trust.')),
  'kafka.ssl.truststore.location': z.string().optional().meta(d('Trust store file; only PEM is supported (`kafka.ssl.truststore.type: PEM`).')),
  'kafka.ssl.truststore.type': z.literal('PEM').optional().meta(d('Must be PEM: Java key stores (JKS, PKCS12) cannot be read; convert them to PEM.')),
  'kafka.ssl.certificate.location': z.string().optional().meta(d('PEM client certificate for mutual TLS.')),
  'kafka.ssl.key.location': z.string().optional().meta(d('PEM private key for mutual TLS.')),
  'kafka.ssl.keystore.location': z.string().optional().meta(d('PEM file holding the client certificate and key (`kafka.ssl.keystore.type: PEM`).')),
  'kafka.ssl.keystore.type': z.literal('PEM').optional().meta(d('Must be PEM.')),
  'kafka.ssl.key.password': z.string().optional().meta(d('Passphrase of the private key.')),
  'kafka.ssl.endpoint.identification.algorithm': z.enum(['https', '']).optional().meta(d('`https` (default) verifies the broker host name; empty turns that check off.')),
  'kafka.request.timeout.ms': positiveInt().optional().meta(d('How long to wait for a broker response, in ms (default 30000).')),
  'kafka.socket.connection.setup.timeout.ms': positiveInt().optional().meta(d('How long to wait for a TCP/TLS connection, in ms (default 10000).')),
};

type ClientShape = typeof clientShape;
export type ClientSettings = { [K in keyof ClientShape]: z.output<ClientShape[K]> };

export interface ClientOptions {
  readonly servers: string[];
  readonly clientId: string;
  readonly ssl?: ConnectionOptions | boolean;
  readonly sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

/** The bootstrap servers from either key, or undefined when neither is given. */
export function bootstrapOf(s: Partial<ClientSettings>): string | undefined {
  return s['kafka.bootstrap.servers'] ?? s['bootstrap.servers'];
}

/** Schema-level checks of the client settings (run from the component schemas' superRefine). */
export function checkClientSettings(s: Partial<ClientSettings>, ctx: z.RefinementCtx): void {
  if (bootstrapOf(s) === undefined) {
    ctx.addIssue({ code: 'custom', path: ['kafka.bootstrap.servers'], message: 'kafka.bootstrap.servers (or bootstrap.servers) is required' });
  }
  const protocol = s['kafka.security.protocol'] ?? 'PLAINTEXT';
  if (protocol.startsWith('SASL')) {
    const jaas = s['kafka.sasl.jaas.config'];
    const hasUser = s['kafka.sasl.username'] !== undefined && s['kafka.sasl.password'] !== undefined;
    if (!hasUser && (jaas === undefined || parseJaas(jaas) === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['kafka.sasl.jaas.config'],
        message: `${protocol} needs credentials: kafka.sasl.jaas.config with username="..." password="...", or kafka.sasl.username and kafka.sasl.password`,
      });
    }
  }
}

export function parseJaas(jaas: string): { username: string; password: string } | undefined {
  const user = /\busername\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(jaas)?.[1];
  const pass = /\bpassword\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(jaas)?.[1];
  const unescape = (v: string) => v.replace(/\\(.)/g, '$1');
  return user === undefined || pass === undefined ? undefined : { username: unescape(user), password: unescape(pass) };
}

/** Resolves settings to connection options, reading certificate files. */
export function clientOptions(s: Partial<ClientSettings>, defaultClientId: string): ClientOptions {
  const servers = (bootstrapOf(s) ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  const protocol = s['kafka.security.protocol'] ?? 'PLAINTEXT';
  const base = {
    servers,
    clientId: s['kafka.client.id'] ?? defaultClientId,
    connectionTimeout: s['kafka.socket.connection.setup.timeout.ms'] ?? 10_000,
    requestTimeout: s['kafka.request.timeout.ms'] ?? 30_000,
  };
  const ssl = protocol === 'SSL' || protocol === 'SASL_SSL' ? tlsOptions(s) : undefined;
  const sasl = protocol.startsWith('SASL') ? saslOptions(s) : undefined;
  return { ...base, ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}

function saslOptions(s: Partial<ClientSettings>): NonNullable<ClientOptions['sasl']> {
  const creds =
    s['kafka.sasl.username'] !== undefined && s['kafka.sasl.password'] !== undefined
      ? { username: s['kafka.sasl.username'], password: s['kafka.sasl.password'] }
      : parseJaas(s['kafka.sasl.jaas.config'] ?? '');
  if (creds === undefined) {
    throw new SluiceError(ErrorCodes.CONFIG_INVALID, 'SASL needs kafka.sasl.jaas.config with username and password, or kafka.sasl.username and kafka.sasl.password');
  }
  const mech = (s['kafka.sasl.mechanism'] ?? 'PLAIN').toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
  return { mechanism: mech, ...creds };
}

function tlsOptions(s: Partial<ClientSettings>): ConnectionOptions | boolean {
  const opts: ConnectionOptions = {};
  const ca = s['kafka.ssl.ca.location'] ?? s['kafka.ssl.truststore.location'];
  if (ca !== undefined) opts.ca = readPem(ca, 'kafka.ssl.ca.location');
  const keystore = s['kafka.ssl.keystore.location'];
  const cert = s['kafka.ssl.certificate.location'] ?? keystore;
  const key = s['kafka.ssl.key.location'] ?? keystore;
  if (cert !== undefined) opts.cert = readPem(cert, 'kafka.ssl.certificate.location');
  if (key !== undefined) opts.key = readPem(key, 'kafka.ssl.key.location');
  if (s['kafka.ssl.key.password'] !== undefined) opts.passphrase = s['kafka.ssl.key.password'];
  if (s['kafka.ssl.endpoint.identification.algorithm'] === '') opts.checkServerIdentity = () => undefined;
  return Object.keys(opts).length === 0 ? true : opts;
}

function readPem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SluiceError(ErrorCodes.CONFIG_INVALID, `${key}: cannot read ${path}`, { cause: err, details: { key, path } });
  }
}
