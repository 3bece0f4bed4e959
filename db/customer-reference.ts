// The customer base's reference data: the regions served (with their time zones), the tariff
// plans, and the services customers may already own. The generator draws from these; the seed of
// regions and logistics writes them.

export interface Region {
  readonly code: string;
  readonly name: string;
  /** IANA zone: calling windows are in the lead's local time. */
  readonly timeZone: string;
  readonly cities: readonly string[];
  /** Relative share of the customer base. */
  readonly weight: number;
}

export const REGIONS = [
  { code: 'gd', name: 'Guangdong', timeZone: 'Asia/Shanghai', weight: 20, cities: ['Guangzhou', 'Shenzhen', 'Dongguan', 'Foshan', 'Zhuhai'] },
  { code: 'js', name: 'Jiangsu', timeZone: 'Asia/Shanghai', weight: 14, cities: ['Nanjing', 'Suzhou', 'Wuxi', 'Changzhou'] },
  { code: 'zj', name: 'Zhejiang', timeZone: 'Asia/Shanghai', weight: 13, cities: ['Hangzhou', 'Ningbo', 'Wenzhou', 'Shaoxing'] },
  { code: 'sc', name: 'Sichuan', timeZone: 'Asia/Shanghai', weight: 13, cities: ['Chengdu', 'Mianyang', 'Leshan', 'Yibin'] },
  { code: 'sh', name: 'Shanghai', timeZone: 'Asia/Shanghai', weight: 10, cities: ['Shanghai'] },
  { code: 'bj', name: 'Beijing', timeZone: 'Asia/Shanghai', weight: 10, cities: ['Beijing'] },
  { code: 'xj', name: 'Xinjiang', timeZone: 'Asia/Urumqi', weight: 10, cities: ['Urumqi', 'Kashgar', 'Korla', 'Yining'] },
  // Roaming-style regions: customers currently abroad, on their local clock.
  { code: 'hk', name: 'Hong Kong (roaming)', timeZone: 'Asia/Hong_Kong', weight: 5, cities: ['Hong Kong'] },
  { code: 'mo', name: 'Macau (roaming)', timeZone: 'Asia/Macau', weight: 5, cities: ['Macau'] },
] as const satisfies readonly Region[];

export type RegionCode = (typeof REGIONS)[number]['code'];

/** Tariff plan codes; 'prospect' marks an out-of-network person (acquisition target). */
export const PLANS = ['basic-38', 'plus-58', 'family-88', 'unlimited-128', 'prospect'] as const;
export type PlanCode = (typeof PLANS)[number];

/** Offer codes some customers already own (so an offer for them is not a sale). */
export const OWNED_SERVICE_CODES = ['vas-video', 'vas-music', 'family-share', 'fiber-300'] as const;
