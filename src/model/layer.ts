/** The layers in the order the diagnosis walks them (faults.md). */
export const LAYERS = ['host', 'dns', 'network', 'tunnel', 'transport', 'tls', 'app'] as const;
export type Layer = (typeof LAYERS)[number];

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LAYER_STATUSES = ['pass', 'warn', 'fail', 'skip', 'unknown'] as const;
export type LayerStatus = (typeof LAYER_STATUSES)[number];

export function layerIndex(layer: Layer): number {
  return LAYERS.indexOf(layer);
}

export type Lang = 'en' | 'zh';

/** The language of the environment: LC_ALL / LC_MESSAGES / LANG starting with zh → zh, else en. */
export const envLang = (env: NodeJS.ProcessEnv = process.env): Lang => (/^zh/i.test(env.LC_ALL || env.LC_MESSAGES || env.LANG || '') ? 'zh' : 'en');
/** A string in both catalog languages. */
export interface Text {
  en: string;
  zh: string;
}
