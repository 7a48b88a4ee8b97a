"""cmi5 course structures (cmi5.xml): XSD validation with lines, and what is read from them (cmi5 section 13)."""

from decimal import Decimal

from lms.cmi5.structure import LEGACY_NAMESPACE, NAMESPACE, parse

COMPLEX = f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="{NAMESPACE}" xmlns:v="https://vendor.example.jp/ext">
  <course id="https://lms.example.jp/course/1">
    <title><langstring lang="en-US">Course</langstring><langstring lang="ja-JP">講座</langstring></title>
    <description><langstring lang="ja-JP">説明</langstring></description>
    <v:note>vendor extension (13.1.5), ignored</v:note>
  </course>
  <block id="https://lms.example.jp/block/1">
    <title><langstring lang="ja-JP">第1部</langstring></title>
    <description><langstring lang="ja-JP">説明</langstring></description>
    <au id="  https://lms.example.jp/au/1  " moveOn="CompletedAndPassed" masteryScore="0.8" launchMethod="OwnWindow">
      <title><langstring lang="ja-JP">単元1</langstring></title>
      <description><langstring lang="ja-JP">説明</langstring></description>
      <url>
        cmi5/au1/index.html
      </url>
      <launchParameters> mode=quiz </launchParameters>
      <entitlementKey>key-1</entitlementKey>
    </au>
    <block id="https://lms.example.jp/block/2">
      <title><langstring lang="ja-JP">第2部</langstring></title>
      <description><langstring lang="ja-JP">説明</langstring></description>
      <au id="https://lms.example.jp/au/2">
        <title><langstring lang="en">Unit 2</langstring></title>
        <description><langstring lang="ja-JP">説明</langstring></description>
        <url>https://content.example.jp/au2.html</url>
      </au>
    </block>
  </block>
  <au id="https://lms.example.jp/au/3" moveOn="Passed">
    <title><langstring lang="ja-JP">単元3</langstring></title>
    <description><langstring lang="ja-JP">説明</langstring></description>
    <url>cmi5/au3/index.html</url>
  </au>
</courseStructure>
"""


def test_a_valid_structure_is_read_with_whitespace_removed_13_1():
    structure, problems = parse(COMPLEX.encode())
    assert problems == []
    assert structure.course_id == "https://lms.example.jp/course/1" and structure.title == "講座"
    first, second, third = structure.aus
    assert first.id == "https://lms.example.jp/au/1"  # 13.1: leading/trailing whitespace removed
    assert (first.url, first.move_on, first.mastery_score, first.launch_method) == (
        "cmi5/au1/index.html", "CompletedAndPassed", Decimal("0.8"), "OwnWindow")
    assert (first.launch_parameters, first.entitlement_key, first.title) == ("mode=quiz", "key-1", "単元1")
    assert first.blocks == ("https://lms.example.jp/block/1",)
    # 13.1.4 defaults: moveOn NotApplicable, launchMethod AnyWindow
    assert (second.move_on, second.launch_method, second.mastery_score) == ("NotApplicable", "AnyWindow", None)
    assert second.blocks == ("https://lms.example.jp/block/1", "https://lms.example.jp/block/2")
    assert second.title == "Unit 2" and third.blocks == ()
    outer, inner = structure.blocks
    assert outer.au_ids == ("https://lms.example.jp/au/1", "https://lms.example.jp/au/2")
    assert inner.au_ids == ("https://lms.example.jp/au/2",)
    assert structure.au("https://lms.example.jp/au/3") is third


def test_the_first_edition_namespace_is_validated_by_the_same_schema():
    structure, problems = parse(COMPLEX.replace(NAMESPACE, LEGACY_NAMESPACE).encode())
    assert problems == [] and len(structure.aus) == 3


def test_xsd_violations_are_reported_with_their_line_13_2():
    broken = COMPLEX.replace('moveOn="Passed"', 'moveOn="Finished"')
    structure, problems = parse(broken.encode())
    assert structure is None
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "Finished" in x)) + 1
    assert [p[0] for p in problems] == [line]
    assert "moveOn" in problems[0][1] and "Finished" in problems[0][1] and NAMESPACE not in problems[0][1]


def test_a_missing_url_and_a_mastery_score_above_one_are_refused_by_the_xsd():
    broken = COMPLEX.replace('masteryScore="0.8"', 'masteryScore="1.5"').replace(
        "<url>cmi5/au3/index.html</url>", "")
    _, problems = parse(broken.encode())
    messages = " ".join(m for _, m in problems)
    assert len(problems) == 2 and "masteryScore" in messages and "url" in messages


def test_ids_must_be_unique_in_the_structure_13_1_4():
    broken = COMPLEX.replace("https://lms.example.jp/au/3", "https://lms.example.jp/au/2")
    structure, problems = parse(broken.encode())
    assert structure is None
    assert len(problems) == 1 and "already used" in problems[0][1]


def test_not_xml_and_other_root_elements_are_problems_not_exceptions():
    assert parse(b"<courseStructure")[1][0][1].startswith("not well-formed XML")
    assert "namespace" in parse(b"<courseStructure/>")[1][0][1]
    entity = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
              b'<courseStructure xmlns="' + NAMESPACE.encode() + b'">&e;</courseStructure>')
    structure, problems = parse(entity)
    assert structure is None and "DOCTYPE" in problems[0][1]
