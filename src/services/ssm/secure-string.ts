/**
 * SecureString values at rest. Berth keeps the plaintext (there is no KMS), but
 * GetParameter without WithDecryption must return what AWS returns: the KMS
 * ciphertext blob, base64. Berth makes a real AES-GCM envelope under a key
 * derived from the account and the KMS key id, framed like a KMS ciphertext.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** The AWS managed key Parameter Store uses when PutParameter names none. */
export const DEFAULT_KEY_ID = 'alias/aws/ssm';

export function encryptForDisplay(account: string, keyId: string, plaintext: string): string {
  const key = createHash('sha256').update(`berth-ssm:${account}:${keyId}`).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  // KMS ciphertext blobs start 01 02 02 00 78 (version, key-material framing), then the key reference.
  const header = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]);
  const keyRef = createHash('sha256').update(keyId).digest().subarray(0, 32);
  return Buffer.concat([header, keyRef, iv, body, cipher.getAuthTag()]).toString('base64');
}
