/**
 * Which certificates each HTTPS or TLS listener serves (migration 21): its
 * default certificate (also in the listener's Certificates) and the extra ones
 * AddListenerCertificates adds for SNI. ACM reads it for InUseBy and to refuse
 * deleting a certificate in use; the data plane reads it to build TLS contexts.
 */
import type { Statements } from '../../state/db.js';
import { bumpGeneration } from './store.js';

export interface ListenerCertificateRow {
  certificateArn: string;
  isDefault: boolean;
  seq: number;
}

/** A listener's certificates, the default first, then in the order they were added. */
export function listenerCertificates(sql: Statements, listenerArn: string): ListenerCertificateRow[] {
  const rows = sql
    .get('SELECT certificate_arn, is_default, seq FROM elbv2_listener_certificates WHERE listener_arn = ? ORDER BY is_default DESC, seq')
    .all(listenerArn) as { certificate_arn: string; is_default: number; seq: number }[];
  return rows.map((r) => ({ certificateArn: r.certificate_arn, isDefault: r.is_default === 1, seq: r.seq }));
}

/** Makes a certificate the listener's default (the previous default is dropped, as ModifyListener replaces it). */
export function setDefaultCertificate(sql: Statements, listenerArn: string, lbArn: string, certificateArn: string): void {
  sql.get('DELETE FROM elbv2_listener_certificates WHERE listener_arn = ? AND (is_default = 1 OR certificate_arn = ?)').run(listenerArn, certificateArn);
  addCertificate(sql, listenerArn, lbArn, certificateArn, true);
}

export function addCertificate(sql: Statements, listenerArn: string, lbArn: string, certificateArn: string, isDefault: boolean): void {
  sql
    .get(`INSERT OR IGNORE INTO elbv2_listener_certificates (listener_arn, lb_arn, certificate_arn, is_default, seq)
          VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM elbv2_listener_certificates))`)
    .run(listenerArn, lbArn, certificateArn, isDefault ? 1 : 0);
  bumpGeneration(sql);
}

export function removeCertificate(sql: Statements, listenerArn: string, certificateArn: string): void {
  sql.get('DELETE FROM elbv2_listener_certificates WHERE listener_arn = ? AND certificate_arn = ? AND is_default = 0').run(listenerArn, certificateArn);
  bumpGeneration(sql);
}

export function dropListenerCertificates(sql: Statements, listenerArn: string): void {
  sql.get('DELETE FROM elbv2_listener_certificates WHERE listener_arn = ?').run(listenerArn);
  bumpGeneration(sql);
}

/** The load balancers whose listeners serve a certificate (ACM's InUseBy). */
export function loadBalancersUsingCertificate(sql: Statements, certificateArn: string): string[] {
  return sql
    .get('SELECT DISTINCT lb_arn FROM elbv2_listener_certificates WHERE certificate_arn = ? ORDER BY lb_arn')
    .pluck()
    .all(certificateArn) as string[];
}

/** Tells the data plane to reload (a certificate it serves was reimported). */
export function certificateChanged(sql: Statements, certificateArn: string): void {
  if (sql.get('SELECT 1 FROM elbv2_listener_certificates WHERE certificate_arn = ? LIMIT 1').get(certificateArn)) bumpGeneration(sql);
}
