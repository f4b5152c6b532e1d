import json
import time

import pytest

from nlp.codelists import CORPORA
from nlp.sensitive import LABELS, find_sensitive


def found(text):
    return [(s.label, s.text) for s in find_sensitive(text)]


def check_spans(text):
    spans = find_sensitive(text)
    for s in spans:
        assert text[s.start:s.end] == s.text
        assert s.label in LABELS
        assert s.data["reason"]
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    return spans


def test_corpus_is_data_with_the_promised_lists():
    data = json.loads((CORPORA / "sensitive.json").read_text(encoding="utf-8"))
    assert data["_doc"]
    assert {"联系人", "项目负责人", "董事长", "车间主任", "总工程师"} <= set(data["role_words"])
    assert 30 <= len(data["confidential_phrases"]) <= 50
    assert {"保密制度", "保密协议", "知识产权保护"} <= set(data["confidential_context"])
    assert len(data["surnames"]) >= 150 and all(len(s) == 1 for s in data["surnames"])


def test_contact_sentence_gives_name_and_mobile_with_exact_offsets():
    text = "如有疑问请联系项目负责人陈国栋，电话13800138000。"
    spans = check_spans(text)
    assert found(text) == [("person_name", "陈国栋"), ("phone", "13800138000")]
    assert spans[0].start == text.index("陈国栋")
    assert spans[1].data["reason"] == "手机号码"
    assert spans[0].data["reason"] == "人员姓名"


def test_contact_line_with_landline():
    text = "联系人：王海涛，电话：0754-88123456"
    assert found(text) == [("person_name", "王海涛"), ("phone", "0754-88123456")]
    assert find_sensitive(text)[1].data["reason"] == "固定电话"


@pytest.mark.parametrize("number", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 13800138000", "+86-138-0013-8000",
    "0754-88123456", "(020)83133450", "（020）83133450", "0755 1234 5678", "020-83133450转801",
    "020-83133450-801", "400-123-4567", "4008123456", "800-830-1234",
])
def test_phone_forms(number):
    text = f"咨询电话{number}，欢迎来电。"
    assert found(text) == [("phone", number)]


def test_full_width_digits_are_read_but_offsets_stay_in_the_original():
    text = "手机：１３８００１３８０００。"
    spans = check_spans(text)
    assert [(s.label, s.text) for s in spans] == [("phone", "１３８００１３８０００")]


def test_email():
    assert found("简历请发送至邮箱hr@example.com，注明岗位。") == [("email", "hr@example.com")]
    assert found("联系邮箱：Zhang.San-01@mail.gd-tech.com.cn。") == [("email", "Zhang.San-01@mail.gd-tech.com.cn")]


def test_id_number_with_valid_checksum():
    text = "项目经办人身份证号码：11010519491231002X。"
    assert found(text) == [("id_number", "11010519491231002X")]
    assert found("证件号440106199001011233已登记") == []  # wrong checksum, no 身份证 label
    assert found("身份证号440106199001011233") == [("id_number", "440106199001011233")]  # labelled: date suffices
    assert found("身份证号440106199013011234") == []  # month 13


def test_credit_code_is_not_personal():
    assert found("统一社会信用代码91440600MA4XXXXXXX") == []
    assert found("统一社会信用代码：91440606MA4UJ8XB1E") == []
    # an all-digit code that happens to pass the ID checksum is still a company's code when labelled
    assert found("统一社会信用代码：11010519491231002X") == []


@pytest.mark.parametrize("text,name", [
    ("董事长李伟表示，项目达产后将新增产值5亿元。", "李伟"),
    ("项目负责人张明负责总体统筹。", "张明"),
    ("联系人为欧阳娜娜，手机号见附表。", "欧阳娜娜"),
    ("车间主任黄志强带领团队攻关。", "黄志强"),
    ("总工程师：梁宇 ", "梁宇"),
    ("项目由总经理冼国华牵头实施。", "冼国华"),
    ("姓名：王海涛；职务：总经理", "王海涛"),
    ("感谢李明先生的大力支持。", "李明"),
    ("王建国同志带领技术团队完成改造。", "王建国"),
])
def test_person_names(text, name):
    assert found(text) == [("person_name", name)]


def test_bare_surname_with_title_is_flagged_whole():
    assert found("请联系陈先生或张女士。") == [("person_name", "陈先生"), ("person_name", "张女士")]


@pytest.mark.parametrize("text", [
    "由董事长任组长的智能制造推进委员会统筹推进。",
    "总经理挂帅，成立由董事长牵头的技术改造领导小组。",
    "公司总经理高度重视，车间主任严格把关，总工程师全面负责技术方案。",
    "项目负责人为总经理，技术负责人为总工程师。",
    "联系人单位：本公司技术中心。",
    "总经理曾任职于华为，经理黄某负责采购。",
    "率先生产出首台套装备，广大党员同志和相关同志积极参与。",
    "工程师团队30人，技术员工120人。",
])
def test_titles_and_common_words_are_not_names(text):
    assert [label for label, _ in found(text) if label == "person_name"] == []


@pytest.mark.parametrize("text,phrase", [
    ("采用的核心工艺参数为烧结温度1180℃、保温时间4小时。", "核心工艺参数"),
    ("主要客户名单见附件。", "客户名单"),
    ("该产品的配方比例为公司技术秘密。", "配方比例"),
    ("随申报材料附核心图纸及全部源代码。", "核心图纸"),
    ("本材料涉及国家秘密，仅供内部参考。", "国家秘密"),
    ("附设备采购价格及成本明细表。", "采购价格"),
])
def test_confidential_phrases(text, phrase):
    spans = [s for s in check_spans(text) if s.label == "confidential"]
    assert spans and spans[0].text == phrase
    assert spans[0].data["reason"]


def test_confidential_finds_every_phrase_in_a_sentence():
    text = "该产品的核心配方及配方比例为公司技术秘密，内部资料未公开。"
    assert [t for _, t in found(text)] == ["核心配方", "配方比例", "技术秘密", "内部资料", "未公开"]


@pytest.mark.parametrize("text", [
    "建立了完善的保密制度和知识产权保护体系。",
    "与核心技术人员签订保密协议，落实保密管理责任。",
    "加强商业秘密保护，取得武器装备科研生产单位保密资格。",
    "关键工艺参数实时监控，上线智能报价系统，报价周期缩短50%。",
    "实现图纸电子化和配方管理数字化。",
    # digitalisation that mentions drawings and recipes is not a disclosure (sentences from the sample round)
    "前端引入拆单软件，设计图纸自动转换为加工代码。",
    "海外客户、设计部、模具厂在同一平台共享图纸、BOM和进度。",
    "按工艺配方把染料直接送到32台染缸，图纸差错率下降90%。",
])
def test_harmless_confidentiality_context_is_not_flagged(text):
    assert found(text) == []


@pytest.mark.parametrize("text", [
    "年产能由5万套提升至12万套。",
    "项目总投资13800万元，其中设备投资9650万元。",
    "2021—2023年累计投入7.8亿元，2021-2023年新增产值12.5亿元。",
    "年节约标准煤1.2万吨，减少二氧化碳排放3.1万吨。",
    "营业收入52.6亿元，纳税2.31亿元，研发投入占比3.8%。",
    "产值达16000000000元，出口额13800138000元。",
    "通过ISO9001、ISO 14001:2015和IATF 16949认证，建成5G全连接工厂。",
    "执行GB/T 19001-2016标准，设备型号HX-0755-12345678。",
    "建设期为2022年3月至2023年12月，工作时间8:00-17:00。",
    "统一社会信用代码91440600MA4XXXXXXX",
    "单位能耗下降18.6%，良品率由92.3%提升至99.1%，人均产值138.5万元。",
])
def test_figures_and_plain_narrative_give_nothing(text):
    assert find_sensitive(text) == []


def test_traditional_characters_and_emoji():
    text = "😀聯繫人：陳國棟，電話13800138000🎉 𠀀㊙️"
    spans = check_spans(text)
    assert [(s.label, s.text) for s in spans] == [("person_name", "陳國棟"), ("phone", "13800138000")]
    assert find_sensitive("🏭⚙️🔧" * 50) == []
    assert find_sensitive("") == []


def test_traditional_text_beyond_the_old_word_list_table():
    # 祕 (秘), 術, 鄺, 樂 and full-width digits: all folded by nlp/fold.py, offsets into the text as given
    text = "本項目涉及核心技術祕密。聯繫人鄺嘉樂先生，手機１３８００１３８０００。"
    got = [(s.label, s.text) for s in check_spans(text)]
    assert ("confidential", "核心技術祕密") in got
    assert ("phone", "１３８００１３８０００") in got


def test_overlaps_prefer_the_longer_span():
    # the landline with extension contains a shorter number-like run; one span covers it all
    text = "电话：(020)83133450转801"
    assert found(text) == [("phone", "(020)83133450转801")]
    # 核心技术秘密 contains 技术秘密 and 秘密: one span only
    assert found("涉及核心技术秘密。") == [("confidential", "核心技术秘密")]


def test_large_input_is_fast():
    chunk = ("公司投资13800万元实施智能化改造，联系人：王海涛，电话0754-88123456，建设期2021—2023年，"
             "年产能由5万套提升至12万套，建立保密制度，核心工艺参数自主可控，邮箱hr@example.com。")
    text = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    start = time.perf_counter()
    spans = check_spans(text)
    assert time.perf_counter() - start < 2.0
    assert sum(s.label == "phone" for s in spans) >= 100_000 // len(chunk)
    narratives = [(chunk * 3)[i % 40:i % 40 + 300] for i in range(2000)]
    start = time.perf_counter()
    for t in narratives:
        find_sensitive(t)
    assert time.perf_counter() - start < 2.0


def test_name_right_before_a_phone_number():
    from nlp.sensitive import find_sensitive
    spans = find_sensitive("（项目联系人：生产技术部刘晓峰，电话13800138000）")
    assert [(s.label, s.text) for s in spans] == [("person_name", "刘晓峰"), ("phone", "13800138000")]
    assert [s.label for s in find_sensitive("请致电销售部，电话020-83133450")] == ["phone"]
