"""The password policy as a pure function."""

import time

from lms.auth.password_policy import COMMON, GUESSABLE, IS_EMAIL, TOO_LONG, TOO_SHORT, password_problems


def test_length_is_counted_in_characters_from_12_to_128():
    assert password_problems("ä" * 11) == [TOO_SHORT]
    assert password_problems("x" * 129) == [TOO_LONG]
    assert password_problems("夏の終わりの静かな海辺で") == []  # 12 characters, 36 bytes


def test_the_email_address_and_its_local_part_are_refused_in_any_case():
    assert password_problems("Taro.Yamada@Example.jp", "taro.yamada@example.jp") == [IS_EMAIL]
    assert password_problems("  TARO.YAMADA ", "taro.yamada@example.jp") == [IS_EMAIL]


def test_common_and_guessable_passwords_are_refused():
    assert password_problems("qwerty123456") == [COMMON]
    assert password_problems("aaaaaaaaaaaa")[0].startswith(GUESSABLE)
    assert password_problems("taro.yamada1", "taro.yamada@example.jp")[0].startswith(GUESSABLE)


def test_the_worst_case_is_cheap():
    started = time.perf_counter()
    for password in ("a" * 128, "1q2w3e4r" * 16, "".join(chr(0x3041 + i % 80) for i in range(128))):
        password_problems(password, "someone@example.jp")
    assert time.perf_counter() - started < 0.3
