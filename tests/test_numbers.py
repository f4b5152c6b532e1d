"""Numerals as the peers parse them: ``nlp.numbers.to_number`` against the test cases of open projects.

The cases are read at run time from ``../shared/reference/peer-suites/chinese-numerals.jsonl`` (beside the
checkout; never copied into the project). The subset that is one numeral a narrative could hold:

- cn2an (MIT) ``cn2an()`` in strict, normal and smart modes: every case of ``strict_data_dict``,
  ``normal_data_dict`` and ``smart_data_dict`` (the value), and every ``error_*_datas`` case (None), except
  the two that ``normal_data_dict`` itself reads as numbers (一一, 壹壹: digit strings, which normal mode and
  this project read as 11). ``direct`` mode (digit strings kept as text, 零一 → "01") and ``transform()``
  (whole sentences) are not one numeral's value and are left out.
- NVIDIA NeMo (Apache-2.0) Chinese ITN ``test_cases_cardinal/decimal/fraction`` and WeTextProcessing
  (Apache-2.0) ``cardinal/number/fraction``: every case whose input is one numeral phrase (only numeral
  characters: digits, 十百千万亿 and their financial and traditional forms, 点, 负, 分之, 又, 幺) and whose
  expected output is one value (1,000 / 1万 / 100万1111 / -3.14 / 3/16 / 3又1/5); ranges (三五百 → 300~500,
  十五六 → 15-6), IP addresses, phone numbers and sentences are left out: they are not one numeral (the
  ranges are read in running text by nlp/evidence.py).
- JioNLP (Apache-2.0) ``parse_money``: every "accurate" amount in 元 written as one numeral with or without
  元/圆/圆整 (1.2万元, 肆佰叁拾萬圆整, 82，225.00元), compared to the cent.

The bar is 98 % of that subset (387 of 388 today: NeMo's 一億零一萬一千一百一 → 100,011,101 reads the
last 一 as a unit, cn2an and this project as 一百一 = 110, as in 一百二 = 120); the failures are printed.
"""
from __future__ import annotations

import pytest

from app.eval_numerals import PEER_SUITE, numeral_peer_cases, peer_numeral_score
from nlp.numbers import to_number


def test_peer_suites_subset():
    """The subset above (selected by app.eval_numerals.numeral_peer_cases, which `make eval` scores too)."""
    assert PEER_SUITE.exists(), f"peer suites not found beside the checkout: {PEER_SUITE}"
    sources = {source for source, _, _ in numeral_peer_cases()}
    assert {"strict_data_dict", "normal_data_dict", "smart_data_dict", "test_cases_decimal.txt",
            "test_cases_fraction.txt", "number.txt", "jionlp parse_money"} <= sources
    right, total, wrong = peer_numeral_score()
    assert total >= 350, total  # the subset is what the docstring says, not a handful
    assert right / total >= 0.98, f"{right}/{total}; wrong: {wrong}"


@pytest.mark.parametrize("numeral,value", [
    ("三万五", 35000), ("两千六", 2600), ("一百二", 120), ("一千零十", 1010), ("十万零十", 100010),
    ("零点一", 0.1), ("负一", -1), ("一点二亿", 1.2e8), ("零点八五", 0.85), ("十三万五", 135000),
    ("百分之十五点六", 15.6), ("百分之九十九点五", 99.5), ("千分之五", 0.5), ("万分之三", 0.03),
    ("三分之一", 1 / 3), ("三又五分之一", 3.2), ("千万", 1e7), ("半", 0.5), ("1.2万", 12000), ("4,200", 4200),
    ("１２", 12), ("兩千六", 2600), ("壹佰元整", 100), ("100万三千", 1003000)])
def test_numerals(numeral, value):
    assert to_number(numeral) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "点", "负", "元整", "二氧化碳", "5G", "X5-200", "百十一", "十一十二", "1..2"])
def test_not_one_numeral(text):
    assert to_number(text) is None


@pytest.mark.parametrize("numeral,value", [("１２．５", 12.5), ("負十點五", -10.5), ("一億一千萬", 1.1e8), ("兩千六", 2600)])
def test_numerals_read_through_the_fold(numeral, value):
    assert to_number(numeral) == pytest.approx(value)
