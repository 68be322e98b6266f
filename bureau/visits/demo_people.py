"""Demo people: fictional Chinese names, guardians and phone numbers, drawn from a seeded random.

Surnames are weighted as they are common; children's given names are those of children born
after 2008, adults' those of their parents, grandparents' older ones. Nothing here is a real person.
"""

from __future__ import annotations

import random

# The common surnames, most frequent first, with rough weights.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [max(1.0, 8.0 - i * 0.12) for i in range(len(SURNAMES))]
BOYS = "浩宇轩子博文俊杰涛明辰睿泽然铭昊航阳晨鑫磊鹏凯瑞哲嘉一梓豪恒翔逸彬诚奕煜锦钰皓"
GIRLS = "欣怡雨涵萱诗琪佳悦思婷雅静可馨妍若汐紫彤晴玥蕾瑶芸菲琳璐露雪丹颖梦语桐"
MEN = ("建华", "志强", "国平", "海军", "卫东", "永胜", "伟", "军", "勇", "斌", "刚", "明", "涛", "强", "峰", "小龙")
MEN += ("春生", "德明", "建军", "红军", "振华", "立新", "文斌", "海涛", "俊峰", "长江", "学文", "家豪")
WOMEN = ("丽", "芳", "秀英", "玉兰", "红霞", "美玲", "艳", "静", "敏", "燕", "慧", "娟", "霞", "春梅", "小红")
WOMEN += ("晓燕", "丽华", "淑芬", "雪梅", "海燕", "金凤", "丽娟", "彩霞", "玉梅", "婷婷", "晓丽", "秋菊")
OLD_MEN = ("德贵", "长林", "有福", "金生", "富贵", "满仓", "发财", "永福", "广才", "树林", "德胜", "玉山")
OLD_WOMEN = ("秀兰", "桂兰", "凤英", "翠花", "玉珍", "桂英", "素珍", "兰英", "秀珍", "月娥", "冬梅", "巧云")
PHONE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "183", "187")
PHONE_PREFIXES += ("188", "130", "131", "132", "155", "156", "186", "133", "153", "180", "189", "177", "199")


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]


def child_name(rng: random.Random, family: str, sex: str) -> str:
    chars = BOYS if sex == "男" else GIRLS
    given = rng.choice(chars) if rng.random() < 0.2 else rng.choice(chars) + rng.choice(chars)
    return family + given


def adult_name(rng: random.Random, sex: str, family: str | None = None, old: bool = False) -> str:
    pool = (OLD_MEN if old else MEN) if sex == "男" else (OLD_WOMEN if old else WOMEN)
    return (family or surname(rng)) + rng.choice(pool)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def guardian(rng: random.Random, family: str, left_behind: bool) -> tuple[str, str]:
    """(name, relation) of the guardian on the roster: a grandparent for most left-behind children."""
    if left_behind and rng.random() < 0.8:
        relation = rng.choice(("祖父", "祖母", "祖母", "外祖母", "外祖父"))
        own_side = relation.startswith("祖")
        sex = "男" if relation.endswith("父") else "女"
        return adult_name(rng, sex, family if own_side and sex == "男" else None, old=True), relation
    relation = rng.choices(("父亲", "母亲", "其他"), weights=(48, 48, 4))[0]
    if relation == "父亲":
        return adult_name(rng, "男", family), relation
    if relation == "母亲":
        return adult_name(rng, "女"), relation
    return adult_name(rng, rng.choice("男女")), rng.choice(("姑姑", "舅舅", "叔叔"))
