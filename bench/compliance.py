"""Benchmark of the compliance scanner (issue 5, "Speed"; issue 14: with the claim rules): a pack of 10,000 terms plus
the shipped `claims` pack (its verbs, outcomes, negations and the disease lexicons as extra keys, paired after
matching) over realistic live-room chat, one core, every normalisation on (繁→简, width, case, symbols, repeats, pinyin
forms, contact words), against pyahocorasick alone on text normalised beforehand, ahocorasick-rs alone (the automaton
we use, on the same keys) and a naive regex alternation, in the same run. A last line scans the same chat with every
shipped pack beside the 10,000 terms (their frequent exceptions — 第一次, 最近 — are extra work), for information.

    python -m bench.compliance [--chars 20000000] [--terms 10000]

Target: at least 7,000,000 characters per second for ours (houbb/sensitive-word publishes about 7.5M chars/s with all
conversions on, in Java).
"""

from __future__ import annotations

import argparse
import random
import re
import time
from datetime import date

import ahocorasick

from livecommerce.compliance.normalize import normalize
from livecommerce.compliance.packs import all_packs, parse_pack
from livecommerce.compliance.scanner import Scanner

COMMON = (
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么"
    "之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间"
    "斯知世什两次使身者被高已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全信重三机工物气每并别真打"
    "太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员许稜先口由死安写性马光白或住难望教命花结乐色"
)
CHAT = [
    "主播好美",
    "这个大米怎么卖",
    "已拍",
    "发货快吗",
    "黑木耳还有吗",
    "主播家的红肠真好吃",
    "蓝莓多少钱一斤",
    "五常大米正宗吗",
    "包邮吗",
    "哈哈哈哈",
    "666",
    "来了来了",
    "刚下单",
    "有优惠券吗",
    "老粉了",
    "人参是几年的",
    "蜂蜜纯吗",
    "什么时候发货",
    "😀😀",
    "求链接",
    "主播声音好听",
    "這個多少錢",
    "ＯＫ",
    "好的好的",
    "买了三单",
    "质量怎么样",
    "第一次来",
    "最近在减肥",
]
BAD = [
    "全网最低价",
    "加vx领券",
    "最*好的大米",
    "ｚｕｉ好",
    "保证治愈",
    "私聊下单",
    "薇信",
    "国家级",
    "好评返现",
    "能预防大肠癌",
    "十天甩掉3公斤",
    "肿瘤变小了",
    "改善性功能",
    "喝酒后可开车",
    "活化毛囊",
]
# parts of claims in ordinary chat: verbs and diseases that pair with nothing (they cost a pairing step, not a hit)
CHAT += ["预防受潮", "降价了吗", "我妈有糖尿病能吃吗", "抗冻吗", "消除误会", "治疗期间能吃吗"]


def terms(n: int, seed: int = 11) -> list[str]:
    """The real terms of the shipped packs' kind plus synthetic 2-5 character terms up to ``n``."""
    rng = random.Random(seed)
    out = {"全网最低", "最低价", "最好", "最佳", "第一", "国家级", "保证治愈", "私聊", "微信", "vx", "v信", "薇信", "好评返现", "刷单"}
    while len(out) < n:  # most of a 10,000-term list is rare words: a few from common characters, most from all CJK
        alphabet = COMMON if rng.random() < 0.1 else None
        size = rng.randint(2, 5) if alphabet is None else rng.randint(4, 6)
        out.add("".join(rng.choice(alphabet) if alphabet else chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(size)))
    return sorted(out)


def pack_text(words: list[str]) -> str:
    """The terms as one rule pack (absolute rules with pinyin forms for the first 200 terms, like evasion-prone ones)."""
    lines = ["pack: bench", "title: bench", "version: '1'", "source: bench", "rules:"]
    for i in range(0, len(words), 100):
        chunk = words[i : i + 100]
        lines += [
            f"  - id: B{i}",
            "    category: absolute",
            "    severity: high",
            "    law: {name: 中华人民共和国广告法, article: 第九条, item: 第三项}",
            f"    patterns: [{', '.join(chunk)}]",
            f"    pinyin: {'true' if i < 200 else 'false'}",
            "    suggestion: x",
        ]
    lines += ["exceptions:", "  - {pattern: 第一次, categories: [absolute], source: bench}"]
    return "\n".join(lines)


def chat(chars: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    lines, total = [], 0
    while total < chars:
        line = rng.choice(BAD) if rng.random() < 0.02 else "".join(rng.choice(CHAT) for _ in range(rng.randint(1, 3)))
        lines.append(line)
        total += len(line) + 1
    return lines


def best(seconds: list[float]) -> float:
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=20_000_000)
    parser.add_argument("--terms", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    words = terms(args.terms)
    started = time.perf_counter()
    claims = [p for p in all_packs() if p.name == "claims"]
    scanner = Scanner([parse_pack(pack_text(words), "bench.yaml"), *claims], date(2026, 12, 31))
    build = time.perf_counter() - started
    lines = chat(args.chars)
    text = "\n".join(lines)
    n = len(text)

    import ahocorasick_rs

    # ours and the raw automaton alternate, so that a machine shared with other work slows both alike
    normalised = normalize(text).text
    rust = ahocorasick_rs.AhoCorasick(scanner.matcher_keys)  # the same keys as ours: patterns, exceptions, claim parts
    ours, rs_times, hits, rs_found = [], [], 0, 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        hits = len(scanner.scan(text))
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        rs_found = len(rust.find_matches_as_indexes(normalised, overlapping=True))
        rs_times.append(time.perf_counter() - started)

    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(normalize(word).text, word)
    automaton.make_automaton()
    plain = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = sum(1 for _ in automaton.iter(normalised))
        plain.append(time.perf_counter() - started)

    pattern = re.compile("|".join(re.escape(normalize(w).text) for w in sorted(words, key=len, reverse=True)))
    sample = normalised[: min(len(normalised), 2_000_000)]
    started = time.perf_counter()
    regex_found = sum(1 for _ in pattern.finditer(sample))
    regex = (time.perf_counter() - started) * len(normalised) / len(sample)

    rate = n / best(ours)
    import os

    print(
        f"compliance scan: {len(words):,} bench terms + the claims pack = {len(scanner.matcher_keys):,} keys "
        f"(automaton built in {build:.2f} s), {n:,} characters of chat, {len(lines):,} lines, {hits:,} hits; "
        f"one core of {os.cpu_count()}"
    )
    print(f"  ours, every normalisation on:                {rate / 1e6:6.2f} M chars/s (target ≥ 7)")
    print(
        f"  pyahocorasick alone, text normalised before: {n / best(plain) / 1e6:6.2f} M chars/s ({found:,} matches); "
        f"ours / it = {best(plain) / best(ours):.2f}"
    )
    print(
        f"  ahocorasick-rs alone (the automaton we use): {n / best(rs_times) / 1e6:6.2f} M chars/s ({rs_found:,} matches); "
        f"ours / it = {best(rs_times) / best(ours):.2f}"
    )
    every = Scanner([parse_pack(pack_text(words), "bench.yaml"), *all_packs()], date(2026, 12, 31))
    every_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        every_hits = len(every.scan(text))
        every_times.append(time.perf_counter() - started)
    print(f"  with every shipped pack (information):       {n / best(every_times) / 1e6:6.2f} M chars/s ({every_hits:,} hits)")
    print(
        f"  naive regex alternation (on {len(sample):,} chars): {n / regex / 1e6:6.2f} M chars/s ({regex_found:,} "
        f"matches there); ours / it = {regex / best(ours):.1f}"
    )


if __name__ == "__main__":
    main()
