/**
 * Task-level cpu and memory as ECS reads them, and the Fargate size table
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html).
 * `cpu` may be CPU units ("1024") or vCPUs ("1 vCPU", "0.25 vcpu"); `memory` may be
 * MiB ("2048") or GB ("2 GB", "2GB"). ECS registers both as integer strings.
 */
import { clientException } from './errors.js';

const TROUBLESHOOTING = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';

/** Fargate: task cpu → the memory values (MiB) it can be paired with. */
const FARGATE_MEMORY: Record<number, (mib: number) => boolean> = {
  256: (m) => m === 512 || m === 1024 || m === 2048,
  512: (m) => steps(m, 1024, 4096, 1024),
  1024: (m) => steps(m, 2048, 8192, 1024),
  2048: (m) => steps(m, 4096, 16384, 1024),
  4096: (m) => steps(m, 8192, 30720, 1024),
  8192: (m) => steps(m, 16384, 61440, 4096),
  16384: (m) => steps(m, 32768, 122880, 8192),
};

function steps(value: number, min: number, max: number, step: number): boolean {
  return value >= min && value <= max && (value - min) % step === 0;
}

function parseUnits(raw: string, unitRe: RegExp, scale: number): number | undefined {
  const text = raw.trim();
  const withUnit = unitRe.exec(text);
  const number = withUnit ? withUnit[1] : text;
  if (!/^(\d+(\.\d+)?|\.\d+)$/.test(number)) return undefined;
  const value = Number(number) * (withUnit ? scale : 1);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** "1 vCPU" → "1024"; undefined stays undefined; anything else is ECS's ClientException. */
export function normalizeTaskCpu(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const units = parseUnits(raw, /^(\d*\.?\d+)\s*vcpus?$/i, 1024);
  if (units === undefined) throw clientException(`Invalid 'cpu' setting for task. ${TROUBLESHOOTING}`);
  return String(units);
}

/** "2 GB" → "2048"; undefined stays undefined; anything else is ECS's ClientException. */
export function normalizeTaskMemory(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const mib = parseUnits(raw, /^(\d*\.?\d+)\s*gb$/i, 1024);
  if (mib === undefined) throw clientException(`Invalid 'memory' setting for task. ${TROUBLESHOOTING}`);
  return String(mib);
}

/** EC2 task cpu is 128-10240 units (0.125-10 vCPU). */
export function checkEc2TaskCpu(cpu: string | undefined) {
  if (cpu === undefined) return;
  const n = Number(cpu);
  if (n < 128 || n > 10240) throw clientException(`Invalid 'cpu' setting for task. ${TROUBLESHOOTING}`);
}

export function isFargateSize(cpu: string | undefined, memory: string | undefined, windows = false): boolean {
  if (cpu === undefined || memory === undefined) return false;
  const c = Number(cpu);
  // Windows containers on Fargate start at 1 vCPU.
  if (windows && c < 1024) return false;
  return FARGATE_MEMORY[c]?.(Number(memory)) ?? false;
}

export function fargateSizeError(cpu: string, memory: string) {
  return clientException(
    `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
  );
}
