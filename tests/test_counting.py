from nlp.counting import char_count, offset_after, wps_count


def test_counts():
    assert char_count("年产能 由5万套\n提升至12万套。") == 15
    assert wps_count("年产能由5万套提升至12万套。") == 14  # 5 and 12 are one each
    assert wps_count("焊点合格率由97.2%提升至99.6%，通过ISO9001认证") == 17
    assert wps_count("ＡＢＣ１２３") == 6  # full-width letters count one each
    assert wps_count("") == char_count("") == 0


def test_overflow_offset_skips_whitespace():
    text = "一二 三四五"
    assert offset_after(text, 3) == 4
    assert text[offset_after(text, 3):] == "四五"
    assert offset_after(text, 5) is None
