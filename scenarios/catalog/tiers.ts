/**
 * Wallet tier presets (`--tiers` on `serve` and `run`), each with the sources of its limits,
 * and the resolution of a `--tiers` argument: a preset name or a JSON file in yuan (the form
 * `parseTierTable` reads). The engine enforces whichever table it is given; the workload is
 * generated against the same table, so its expected outcomes hold.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_TIERS,
  DEFAULT_TIERS_NAME,
  parseTierTable,
  type TierTable,
  TierTableError,
} from '../../engine/domain/index.js';
import type { Fact, Source } from '../model/index.js';
import { fact, modelled } from './common.js';

/** A tier table and where its limits come from. */
export interface TierPreset {
  readonly name: string;
  readonly description: string;
  readonly table: TierTable;
  /** Sources and modelled labels; `uses` are limit paths such as `4.balance`. */
  readonly facts: readonly Fact[];
}

const CCB_2020_TABLE: Source = {
  publisher: 'Xigua Caijing (西瓜财经)',
  date: '2020',
  title:
    '[headline not in the stored copy: CCB digital RMB wallet goes live (建行“数字人民币钱包”今日已上线)]',
  url: 'https://xiguacaijing.com/kuaixun/2020/27414.html',
  note: 'the stored copy shows no headline or day; it reports CCB\u2019s wallet terms the day the wallet appeared (29 Aug 2020)',
};

const CCB_2020_ENGLISH: Source = {
  publisher: 'Bitcoin Dose (repost of Bitcoin.com News)',
  date: '2020-08-29',
  title: 'Major Chinese Bank Launches Central Bank Digital Currency Wallet Briefly',
  url: 'https://bitcoindose.com/2020/08/29/major-chinese-bank-launches-central-bank-digital-currency-wallet-briefly/',
  note: 'secondary: a repost, citing 21st Century Business Herald',
};

const SHANGHAI_DAILY_2021: Source = {
  publisher: 'Shanghai Daily (SHINE)',
  date: '2021-06-11',
  title: 'China busy building e-yuan wallet ecology',
  url: 'https://www.shine.cn/biz/economy/2106110507/',
  note: 'reports Mu Changchun (PBOC Digital Currency Institute) at the 13th Lujiazui Forum; the day is from the page address',
};

const CAIXIN_2022_APP: Source = {
  publisher: 'BIIA (repost of Caixin)',
  date: '2022-01',
  title: 'China launches digital yuan app in pilot cities nationwide',
  url: 'https://www.biia.com/china-launches-digital-yuan-app-in-pilot-cities-nationwide/',
  note: 'secondary: a repost of Caixin (also on Nikkei Asia); the page shows no day',
};

const IDENTIFIED_2021: Source = {
  publisher: 'Qeeebo',
  date: '2026-01-07',
  title: 'How are digital renminbi wallet limits enforced?',
  url: 'https://qeeebo.com/questions/how/ef/8e8/how-are-digital-renminbi-wallet-limits-enforced',
  note: 'secondary; the same figures are on forkast.news/china-reveals-e-cny-wallet-specifications, citing Caixin, undated in the stored copy',
};

const YUAN = 100;
const row = (balance: number, single: number, daily: number, annual: number) => ({
  balance: balance * YUAN,
  single: single * YUAN,
  daily: daily * YUAN,
  annual: annual * YUAN,
});

/** The 2021 public figures: phone-number wallets and fully identified wallets. */
const PUBLIC_2021: TierTable = {
  1: row(500_000, 50_000, 100_000, 500_000),
  2: row(10_000, 5_000, 10_000, 300_000),
  3: row(10_000, 2_000, 5_000, 50_000),
  4: row(10_000, 2_000, 5_000, 50_000),
  merchantBalance: null,
};

/** Every preset, by name; the first is the engine's default. */
export const TIER_PRESETS: ReadonlyMap<string, TierPreset> = new Map(
  [
    {
      name: DEFAULT_TIERS_NAME,
      description:
        'the 2020 wallet terms of one operator bank (China Construction Bank), four tiers',
      table: DEFAULT_TIERS,
      facts: [
        fact(
          'CCB wallet terms',
          '一类钱包 余额上限50万元, 单笔5万元, 日10万元, 年50万元; 二类 1万 / 5000 / 1万 / 30万; 三类 2000 / 2000 / 2000 / 5万; 四类 1000 / 500 / 1000 / 1万',
          CCB_2020_TABLE,
          '1',
          '2',
          '3',
          '4',
        ),
        fact(
          'CCB wallet terms, in English',
          'balance limit of 500,000 yuan, single payment limit of 50,000 yuan, daily cumulative limit of 100,000 yuan, annual 500,000; annual limits 300,000 / 50,000 / 10,000 for levels two to four',
          CCB_2020_ENGLISH,
          '1',
          '2.annual',
          '3.annual',
          '4.annual',
        ),
        modelled(
          'merchant balances',
          'no balance limit for merchant wallets',
          'the terms cover personal wallets; merchants sweep to their banks, so their wallets are left uncapped',
          'merchantBalance',
        ),
      ],
    },
    {
      name: 'public-2021',
      description:
        'the 2021 public figures: phone-number wallets 10,000 / 2,000 / 5,000 yuan, fully identified 500,000 / 50,000 / 100,000',
      table: PUBLIC_2021,
      facts: [
        fact(
          'phone-number wallet',
          'a balance limit of 10,000 yuan, a single payment limit of 2,000 yuan and a daily payment limit of 5,000 yuan',
          SHANGHAI_DAILY_2021,
          '4.balance',
          '4.single',
          '4.daily',
        ),
        fact(
          'phone-number wallet, annual',
          'type 4 ... maximum balance 10,000 yuan; a single payment cannot exceed 2,000 yuan, daily payments 5,000 yuan and annual payments 50,000 yuan',
          CAIXIN_2022_APP,
          '4.annual',
        ),
        fact(
          'fully identified wallet',
          'verified wallets ... a 50,000 yuan single payment limit and a 100,000 yuan daily cumulative limit ... a 500,000 yuan balance cap',
          IDENTIFIED_2021,
          '1.balance',
          '1.single',
          '1.daily',
        ),
        modelled(
          'fully identified wallet, annual',
          '500,000 yuan',
          'no 2021 figure was found; kept from the 2020 operator-bank terms',
          '1.annual',
        ),
        fact(
          'tiers in between',
          'the balance and payment limits are raised with the type 3, 2 and 1 wallets',
          CAIXIN_2022_APP,
          '2',
          '3',
        ),
        modelled(
          'tiers 2 and 3',
          'tier 2: 10,000 / 5,000 / 10,000 / 300,000; tier 3: 10,000 / 2,000 / 5,000 / 50,000',
          'no public figures; each is the 2020 operator-bank value, raised where needed so no tier is stricter than tier 4',
          '2',
          '3',
        ),
        modelled(
          'merchant balances',
          'no balance limit for merchant wallets',
          'as in the 2020 preset',
          'merchantBalance',
        ),
      ],
    },
  ].map((p) => [p.name, p]),
);

/** The tier table a run or engine uses: its name (preset or file) and its limits. */
export interface ResolvedTiers {
  readonly name: string;
  readonly table: TierTable;
  readonly facts: readonly Fact[];
}

/**
 * A `--tiers` argument: a preset name, or the path of a JSON table in yuan. Throws
 * TierTableError (code BAD_TIERS) for an unknown name, an unreadable file, bad JSON or a bad
 * table, every problem listed.
 */
export function resolveTiers(arg: string | undefined): ResolvedTiers {
  const preset = TIER_PRESETS.get(arg ?? DEFAULT_TIERS_NAME);
  if (preset) return preset;
  const path = arg!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TierTableError([
      `"${path}" is neither a preset (${[...TIER_PRESETS.keys()].join(', ')}) nor a readable file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TierTableError([`${path}: not JSON (${(error as Error).message})`]);
  }
  let table: TierTable;
  try {
    table = parseTierTable(json);
  } catch (error) {
    if (error instanceof TierTableError)
      throw new TierTableError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
  return {
    name: `file:${path}`,
    table,
    facts: [
      modelled(
        'wallet tiers',
        `the table in ${path}`,
        'a custom table given on the command line',
        '1',
        '2',
        '3',
        '4',
        'merchantBalance',
      ),
    ],
  };
}
