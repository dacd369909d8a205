/**
 * The public pages the scenarios' figures were read on, one constant per page, shared by the
 * scenario files. Each is the best public page found for its figures; where the page is a
 * repost or a secondary report, `note` says so. Titles are as the pages give them.
 */
import type { Source } from '../model/index.js';

// Shenzhen Luohu lottery, October 2020.

/** Shenzhen government's English site: the official results of the Luohu red packets. */
export const SZ_GOV_LUOHU_RESULTS: Source = {
  publisher: 'Shenzhen Government Online (from Shenzhen Daily)',
  date: '2020-10-21',
  title: 'Pilot use of digital money ends',
  url: 'http://www.sz.gov.cn/en_szgov/news/latest/content/post_8187712.html',
};

/** The Luohu results with the exact yuan figure (8.764 M). */
export const NFCW_LUOHU_RESULTS: Source = {
  publisher: 'NFCW',
  date: '2020-10-21',
  title: 'Shenzhen residents spend nearly 9m digital yuan during CBDC pilot',
  url: 'https://www.nfcw.com/2020/10/21/368789/shenzhen-residents-spend-nearly-9m-digital-yuan-during-cbdc-pilot/',
};

/** Beijing News (in English translation) on the Luohu timeline and results, citing "Shenzhen release". */
export const RAYRADAR_LUOHU_TIMELINE: Source = {
  publisher: 'Rayradar (translation of Beijing News Shell Finance)',
  date: '2020-10-19',
  title:
    'The pilot project of digital RMB red envelope closed with 47600, and 8.76 million were traded with red envelope by the winning bidder',
  url: 'https://www.rayradar.com/2020/10/19/the-pilot-project-of-digital-rmb-red-envelope-closed-with-47600-and-8-76-million-were-traded-with-red-envelope-by-the-winning-bidder/',
  note: 'secondary: an English translation; it misprints the transaction count as 622788',
};

/** The Luohu rules as announced (JiWei, citing Shenzhen News Network), in Chinese. */
export const JIWEI_LUOHU_RULES: Source = {
  publisher: 'JiWei (jiangsulong.com repost, citing Shenzhen News Network)',
  date: '2020-10-10',
  title: '爱与否科技|金额高达1000万元,深圳开展数字人民币红包试点',
  url: 'http://jiangsulong.com/a/2020/1010/1602329122.html',
  note: 'secondary: a repost of the JiWei (集微网) report',
};

/** Luohu applicants (1.91 M) and the winner share. */
export const COINDESK_LUOHU_APPLICANTS: Source = {
  publisher: 'CoinDesk (mirror)',
  date: '2020-10-13',
  title: "Nearly 2 Million Sign Up for China's Digital Yuan 'Lottery'",
  url: 'https://cryptonewz.pages.dev/crypto-news-coindesk.com/de/policy/2020/10/13/nearly-2-million-sign-up-for-chinas-digital-yuan-lottery',
  note: 'secondary: a mirror of the CoinDesk article',
};

/** Cointelegraph (repost): Luohu winners could not use the offline and tap functions. */
export const COINTELEGRAPH_SUZHOU_PREVIEW: Source = {
  publisher: 'Cryfto (repost of Cointelegraph)',
  date: '2020-11',
  title: "Suzhou to launch digital yuan 'red envelope' trial for Double 12 event",
  url: 'https://cryfto.onbuzz.net/2020/11/suzhou-to-launch-digital-yuan-red.html',
  note: 'secondary: a repost of Cointelegraph; the page shows no day',
};

/** CoinDesk (mirror): the four state-owned banks at the Xiong'an pilot meeting. */
export const COINDESK_XIONGAN: Source = {
  publisher: 'CoinDesk (mirror)',
  date: '2020-04-23',
  title: "Starbucks, McDonald's Among 19 Firms to Test China's Digital Yuan: Report",
  url: 'https://irishnews.pages.dev/crypto-news-coindesk.com/de/business/2020/04/23/starbucks-mcdonalds-among-19-firms-to-test-chinas-digital-yuan-report',
  note: 'secondary: a mirror of the CoinDesk article',
};

// Suzhou, 2020.

/** Suzhou transport subsidy: half paid in e-CNY in May 2020 through the four big banks. */
export const ASIAFINANCIAL_SUZHOU_SUBSIDY: Source = {
  publisher: 'Asia Financial',
  date: '2020-04',
  title: 'Suzhou to be pilot city for central bank digital cash',
  url: 'https://www.asiafinancial.com/suzhou-to-be-pilot-city-for-central-bank-digital-cash',
  note: 'the page shows no day; it reports the April 2020 notice of the May payment',
};

/** The four banks and the April wallet-installation deadline of the Suzhou subsidy. */
export const COINFOMANIA_SUZHOU_SUBSIDY: Source = {
  publisher: 'Coinfomania',
  date: '2020-04',
  title:
    'Chinese Government Workers to Receive 50% Transport Subsidy in May Via New Digital Currency',
  url: 'https://coinfomania.com/chinese-workers-transport-subsidy-digital-currency/',
  note: 'secondary: reports China Star Market; the page shows no day',
};

/** The Double-12 results (Suzhou government via Sina Finance), in Chinese, with exact figures. */
export const BG3_SUZHOU_RESULTS: Source = {
  publisher: 'bg3.co (citing Sina Finance and the Suzhou government)',
  date: '2020-12-29',
  title: '苏州数位人民币红包测试结束 线上消费占44.7%',
  url: 'https://cn.bg3.co/a/su-zhou-shu-wei-ren-min-bi-hong-bao-ce-shi-jie-shu-xian-shang-xiao-fei-zhan-44-7.html',
  note: 'secondary: a report of the Suzhou government announcement of 29 Dec 2020',
};

/** The Double-12 results in English: stores, dual-offline wallets. */
export const PANDAILY_SUZHOU_RESULTS: Source = {
  publisher: 'Pandaily',
  date: '2020-12',
  title: 'Suzhou Digital Currency Trial Closes, Beijing Follows Up E-yuan Pilot',
  url: 'https://pandaily.com/suzhou-digital-currency-trial-closes-beijing-follows-up-e-yuan-pilot',
  note: 'the page shows no day; it reports the trial that closed on 27 Dec 2020',
};

/** The Double-12 validity window. */
export const EIGHTBTC_SUZHOU_WINDOW: Source = {
  publisher: '8btc',
  date: '2020-12-11',
  title:
    "Digital Yuan Wallet Balances Has Been Topped up, China's Suzhou City Gets Ready for CBDC Test",
  url: 'https://news.8btc.com/digital-yuan-wallet-balances-has-been-topped-up-chinas-suzhou-city-gets-ready-for-cbdc-test',
  note: 'the date is the opening day the page describes ("this evening")',
};

/** JD: the first online e-CNY order, two seconds after the 20:00 start. */
export const JD_BLOG_FIRST_ORDER: Source = {
  publisher: 'JD Corporate Blog',
  date: '2020-12-13',
  title: "JDD Supports China's First Online Payment by Digital RMB",
  url: 'https://jdcorporateblog.com/jdd-supports-chinas-first-online-payment-by-digital-rmb/',
};

/** JD.com's first 24 hours of Double-12 e-CNY payments. */
export const GLOBALTIMES_JD_ORDERS: Source = {
  publisher: 'Global Times',
  date: '2020-12-13',
  title: '[headline not in the stored copy: JD.com digital yuan payments in the Suzhou trial]',
  url: 'https://globaltimes.cn/content/1209824.shtml',
  note: 'the stored copy shows neither headline nor date; the date is the day after the 24 hours it reports',
};

// Xiong'an, April 2020.

/** The 19 first merchants of the Xiong'an pilot, by name. */
export const CBN_XIONGAN_MERCHANTS: Source = {
  publisher: 'China Banking News',
  date: '2020-04-23',
  title:
    "Starbucks, Subway and McDonald's to Participate in Trials of China's Central Bank Digital Currency in Xiong'an",
  url: 'https://www.chinabankingnews.com/2020/04/23/starbucks-subway-and-mcdonalds-to-participate-in-trials-of-chinas-central-bank-digital-currency-in-xiongan/',
};

// Chengdu, February 2021.

/** China Daily on the Chengdu notice: packets, face values, funders, stores. */
export const CHINADAILY_CHENGDU: Source = {
  publisher: 'China Daily (on GoChengdu)',
  date: '2021-02-25',
  title: 'Chengdu to Hand out Digital Money',
  url: 'https://www.gochengdu.cn/article/news/379',
};

/** JD's announcement of the Chengdu trial (over 12,000 shops). */
export const CBN_CHENGDU_JD: Source = {
  publisher: 'China Banking News',
  date: '2021-02-24',
  title: "Chengdu Launches 40 Million Yuan Digital Renminbi Lottery with [JD.com]'s Assistance",
  url: 'https://www.chinabankingnews.com/2021/02/24/jd-com-supports-digital-renminbi-consumer-trials-in-chengdu/',
};

/** Chengdu's January round: money earmarked offline (government) and online (JD). */
export const TECHNODE_CHENGDU_JANUARY: Source = {
  publisher: 'Business Telegraph (repost of TechNode)',
  date: '2021-01',
  title: 'Chengdu to distribute $7.7 million in its first digital yuan lottery: report',
  url: 'https://www.businesstelegraph.co.uk/chengdu-to-distribute-7-7-million-in-its-first-digital-yuan-lottery-report-technode/?share=facebook',
  note: 'secondary: a repost of TechNode; the page shows no day',
};

/** Suzhou's February 2021 round: wallets from all six big state banks. */
export const CBN_SUZHOU_FEBRUARY: Source = {
  publisher: 'China Banking News',
  date: '2021-02-05',
  title: 'Suzhou and JD.com Hold 30 Million Yuan Digital Renminbi Lottery in February',
  url: 'https://www.chinabankingnews.com/2021/02/05/suzhou-and-jd-com-hold-30-million-yuan-digital-renminbi-lottery-in-february/',
};

// Beijing Winter Olympics, 2022.

/** The Games' dates. */
export const CNN_OLYMPICS_FACTS: Source = {
  publisher: 'CNN',
  date: '2021-05-26',
  title: '2022 Beijing Winter Olympics Fast Facts',
  url: 'https://www.cnn.com/2021/05/26/world/2022-beijing-winter-olympics-fast-facts/index.html',
};

/** Hardware wallets for the Games: smart watches, ski gloves, badges; offline-capable cards. */
export const RAILLY_OLYMPICS_WALLETS: Source = {
  publisher: 'RaillyNews',
  date: '2021-12',
  title: 'Digital Yuan to Perform at Beijing 2022 Winter Olympics',
  url: 'https://raillynews.com/2021/12/digital-yuan-beijing-to-debut-at-2022-winter-olympics/?share=pocket',
  note: 'secondary: reports the PBOC announcement; the page shows no day',
};

/** Daily e-CNY spending at the Games and who used hardware wallets (Mu Changchun). */
export const SCMP_OLYMPICS_DAILY: Source = {
  publisher: 'South China Morning Post',
  date: '2022-02-16',
  title:
    "China's digital currency racks up 'a couple of million' yuan of payments per day at the Beijing Winter Olympics",
  url: 'https://www.scmp.com/economy/china-economy/article/3167271/chinas-digital-currency-racks-couple-million-yuan-payments',
};

/** The same statement with the figure: about 2 million yuan (US$316,000) a day (Reuters). */
export const EWEBPROMO_OLYMPICS_DAILY: Source = {
  publisher: 'eWebPromo (repost of Cointelegraph, citing Reuters)',
  date: '2022-02',
  title: "Here's how many digital yuan were used in the Olympics, according to the PBoC",
  url: 'https://ewebpromo.com/heres-how-many-digital-yuan-were-used-in-the-olympics-according-to-the-pboc/',
  note: 'secondary: a repost; the Reuters original was not found in a stored copy',
};

/** The Games in one overview: exchange machines, tap-to-pay cards, $315,000 a day (Mu Changchun). */
export const CASHPAYMENTNEWS_OLYMPICS: Source = {
  publisher: 'Cash & Payment News',
  date: '2022-03-03',
  title: "Overview of China's Progress with its e-CNY Pilot",
  url: 'https://cashpaymentnews.com/news/2022/mar/03/overview-chinas-progress-its-e-cny-pilot',
};

/** Atlantic Council on the e-CNY at the Games: 10,000 TPS now, 300,000 in the future. */
export const ATLANTIC_COUNCIL_TPS: Source = {
  publisher: 'Atlantic Council (Econographics), repost on ecoexplorerthailand.com',
  date: '2022-03-01',
  title: "Review of the Chinese central bank's digital currency: the e-CNY",
  url: 'https://ecoexplorerthailand.com/review-of-the-chinese-central-banks-digital-currency-the-e-cny/',
  note: 'secondary: a repost of the Atlantic Council post by Ananya Kumar; the original address was not found in a stored copy',
};

/** More than 400,000 Olympics-related e-CNY scenarios (Beijing financial regulator, 10 Feb 2022). */
export const EQUALOCEAN_OLYMPICS_SCENARIOS: Source = {
  publisher: 'EqualOcean',
  date: '2022-02-14',
  title:
    'China is using the Beijing Winter Olympics as a showcase for its official digital currency',
  url: 'https://equalocean.com/analysis/2022021417020/amp',
};

// National scale.

/** Oct 2021: 140 M personal wallets, 1.55 M merchants, 62 B yuan (Mu Changchun, HK Fintech Week). */
export const FORKAST_WALLETS_2021: Source = {
  publisher: 'Forkast.News',
  date: '2021-11',
  title:
    '[headline not in the stored copy: digital yuan hard wallets and the Beijing Winter Olympics]',
  url: 'https://forkast.news/digital-yuan-hard-wallets-beijing-winter-olympics/',
  note: 'the stored copy shows neither headline nor day; it reports Mu Changchun at Hong Kong Fintech Week, Nov 2021',
};
