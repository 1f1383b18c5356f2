/**
 * Profiles: defaults for a known kind of server, expressed as ordinary agent.yaml keys that
 * the operator's own keys override. Nothing a profile sets is hidden: the merged document is
 * what is validated, and what `convoy-agent --show-config` prints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolvePath } from '../../shared/config-file.js';
import { hossDefaults, type ProfileFacts } from './hoss-profile.js';

export const PROFILES = ['hoss'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** Where a profile's host facts are kept between starts (see hoss-profile.ts). */
export const PROFILE_FACTS_FILE = 'profile-facts.json';

export interface AppliedProfile {
  /** The document to validate: the profile's defaults under the operator's keys, without `profile` and `hoss`. */
  doc: Record<string, unknown>;
  profile: ProfileName | '';
  facts?: ProfileFacts;
  /** The steps the profile defines (not an error when the operator's procedures leave one out). */
  profileSteps: string[];
}

/** Applies `profile:` when set; problems are operator sentences without the file prefix. */
export function applyProfile(file: string, doc: Record<string, unknown>, add: (problem: string) => void): AppliedProfile {
  const { profile, hoss, ...own } = doc;
  if (profile === undefined) {
    if (hoss !== undefined) add('hoss is set but profile is not (add profile: hoss, or remove the hoss section)');
    return { doc: own, profile: '', profileSteps: [] };
  }
  if (typeof profile !== 'string' || !(PROFILES as readonly string[]).includes(profile)) {
    add(`profile ${JSON.stringify(profile)} is not a known profile (expected one of: ${PROFILES.join(', ')})`);
    return { doc: own, profile: '', profileSteps: [] };
  }
  const recorded = readRecordedFacts(file, doc.stateDir);
  const { defaults, facts } = hossDefaults({ file, doc, recorded, add });
  const profileSteps = Object.keys((defaults.steps as Record<string, unknown> | undefined) ?? {});
  return { doc: mergeDefaults(defaults, own), profile: 'hoss', facts, profileSteps };
}

/** `own` wins; mappings are merged key by key, lists and values replaced whole. */
export function mergeDefaults(defaults: unknown, own: unknown): Record<string, unknown> {
  const base = isMapping(defaults) ? defaults : {};
  if (!isMapping(own)) return { ...base };
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(own)) {
    out[k] = isMapping(v) && isMapping(base[k]) ? mergeDefaults(base[k], v) : v;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readRecordedFacts(file: string, stateDir: unknown): ProfileFacts | undefined {
  if (typeof stateDir !== 'string') return undefined;
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(resolvePath(file, stateDir), PROFILE_FACTS_FILE), 'utf8')) as ProfileFacts;
    return typeof parsed.backupRoot === 'string' && Array.isArray(parsed.services) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
