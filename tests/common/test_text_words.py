"""The helper that finds English words on Chinese screens (tests/text_words.py)."""

from tests.text_words import english_words, visible_text


def test_chinese_text_numbers_and_single_letters_have_no_english_words():
    assert english_words("第 3 题（多选）：A、B 和 D 正确，得 1200 分，用时 4.5 秒。") == []


def test_english_words_are_returned_in_order_with_repeats():
    assert english_words("状态：lobby · paused → paused") == ["lobby", "paused", "paused"]
    assert english_words("✓ true / ✓ false") == ["true", "false"]


def test_words_with_apostrophes_and_hyphens_are_one_word():
    assert english_words("It’s a multi-choice question") == ["It’s", "multi-choice", "question"]


def test_default_allow_list_ignores_case():
    assert english_words("输入 PIN 加入；导出 xlsx、XLS、csv 或 PDF（2.1 MB）；pin 码") == []


def test_urls_paths_and_email_addresses_are_removed_first():
    text = (
        "扫码或打开 https://jiangtang.example.com/join/?pin=123456 ，"
        "或 jiangtang.gov.cn/c/4 ，也可访问 /join/ ；联系 admin.office@party-unit.gov.cn"
    )
    assert english_words(text) == []
    assert english_words("打开 192.168.1.5:8000/join/ 或 testserver/join/?pin=1") == []
    # a slash between words is not a path: "true/false" is English
    assert english_words("true/false 图表") == ["true", "false"]


def test_placeholders_are_not_words():
    assert english_words("第 {n} 题，共 {of} 题；%(name)s 获胜；{ team } 抢答") == ["team"]


def test_allow_adds_names_word_by_word():
    text = "第一名 Li Lei，第二名 Han Meimei，第三名 Guest"
    assert english_words(text, allow=["Li Lei", "Han Meimei"]) == ["Guest"]


def test_visible_text_skips_scripts_and_styles_and_reads_attributes_and_template_texts():
    html = """<html><head><title>讲堂</title><style>.x{color:red}</style></head><body>
      <script>const label = "loading";</script>
      <button aria-label="Close" title="关闭">×</button>
      <input placeholder="Search" name="q" value="typed by user">
      <input type="submit" value="Send">
      <template data-texts='{"waiting": "Waiting…", "kinds": ["单选", "Multiple"]}'
        data-step="Paused"><p>Answer locked</p></template>
      <p>欢迎 <b>Welcome</b></p>
    </body></html>"""
    words = english_words(visible_text(html))
    assert words == [
        "Close",
        "Search",
        "Send",
        "Waiting",
        "Multiple",
        "Paused",
        "Answer",
        "locked",
        "Welcome",
    ]
    assert "loading" not in visible_text(html)
    assert "color" not in visible_text(html)
    assert "typed" not in visible_text(html)
    assert "kinds" not in visible_text(html)
