"""Fake but well-formed personal data for the demo county: names, mobile numbers, ID numbers
and 统一社会信用代码. Everything comes from one seeded ``random.Random``, so a demo is
reproducible; nothing here is a real person's data."""

import random
from datetime import date, timedelta

from orgs.credit_code import ALPHABET, make_credit_code

# Common surnames of Fujian, Hunan and Jiangxi (the seeds' provinces), most frequent first.
SURNAMES = "陈林黄郑王张李吴刘苏颜徐连曾赖许谭彭周叶邓易罗肖杨蔡洪谢魏邱卢朱胡涂赵钟何龙姚"
GIVEN_CHARS = (
    "建国华明丽芳伟强军平秀英玉兰志勇海燕春梅文斌红霞金凤永福德清荣辉俊杰雪婷小龙"
    "宏斌晓峰家豪佳怡宇航思源瑞祥丽娟桂英美玲秋菊振兴成林世昌庆元彩云淑芬乐天水生"
)

# GB 11643-1999: weights of the first 17 digits and the check characters by remainder.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "182",
    "186",
    "187",
    "188",
    "189",
    "199",
)


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese name."""
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real operator prefix."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def id_check_character(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number(rng: random.Random, area_code: str = "350526") -> str:
    """An 18-character resident ID number with a valid check character."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    first17 = f"{area_code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_character(first17)


def credit_code(rng: random.Random, area_code: str = "350526", kind: str = "1") -> str:
    """A valid 统一社会信用代码 of a company (registration dept 9) in the given area."""
    body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
    return make_credit_code("9", kind, area_code, body)
