/**
 * The embedded broker's certificate: files named in the config, or a development
 * certificate made on the first start (self-signed, so validators pin it as their CA:
 * `mqtt.tls.caFile`). Made with the openssl CLI, which node:crypto cannot replace
 * (it has no X.509 writer); the key is written 0600 and never logged.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isIP } from 'node:net';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Make a development certificate at these paths when they do not exist yet. */
  generate: boolean;
}

/** Subject alternative names for the hosts a development certificate must be valid for. */
export function subjectAltNames(hosts: readonly string[]): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const host of hosts) if (host !== '' && host !== '0.0.0.0' && host !== '::') names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  return [...names].join(',');
}

/** Writes a self-signed P-256 certificate valid for `hosts`, for 825 days. */
export function makeDevelopmentCertificate(files: Pick<TlsFiles, 'certFile' | 'keyFile'>, hosts: readonly string[]): void {
  mkdirSync(dirname(files.certFile), { recursive: true, mode: 0o700 });
  mkdirSync(dirname(files.keyFile), { recursive: true, mode: 0o700 });
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '825',
    '-subj', '/CN=Faregate development broker', '-addext', `subjectAltName=${subjectAltNames(hosts)}`,
    '-keyout', files.keyFile, '-out', files.certFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  chmodSync(files.keyFile, 0o600);
}

/** The key and certificate to serve; makes the development one first when asked and absent. Answers whether it made one. */
export function loadTls(files: TlsFiles, hosts: readonly string[]): { key: Buffer; cert: Buffer; generated: boolean } {
  const generated = files.generate && !(existsSync(files.certFile) && existsSync(files.keyFile));
  if (generated) makeDevelopmentCertificate(files, hosts);
  return { key: readFileSync(files.keyFile), cert: readFileSync(files.certFile), generated };
}

/** Loopback addresses only: anything else is reachable from the network. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
