"""GB 32100 credit codes, GB 11643 resident IDs and 2023 foreign permanent-residence IDs."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.identity import (
    mask_identity,
    normalise_code,
    validate_credit_code,
    validate_foreign_permanent_id,
    validate_resident_id,
)

# Published codes of real organisations (business licences are public information).
REAL_CREDIT_CODES = ["914403001922038216", "91330100799655058B", "9144030071526726XG", "91310000132200821H"]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_pass_the_gb32100_check(code):
    assert validate_credit_code(code) == code


def test_credit_code_is_normalised_from_how_people_type_it():
    assert validate_credit_code(" 9144 0300-7152 6726xg ") == "9144030071526726XG"
    # full-width characters from a Chinese input method
    assert validate_credit_code("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"


def _error(func, value):
    with pytest.raises(ValidationError) as info:
        func(value)
    return info.value


def test_credit_code_with_wrong_check_character_names_the_expected_one():
    error = _error(validate_credit_code, "914403001922038217")
    assert error.code == "credit_code_check"
    assert "最后一位应为“6”" in error.messages[0]


def test_credit_code_length_is_reported_with_the_count():
    error = _error(validate_credit_code, "91440300192203821")
    assert error.code == "credit_code_length"
    assert "当前为17位" in error.messages[0]


def test_credit_code_with_letter_outside_the_alphabet_is_refused():
    error = _error(validate_credit_code, "9144030019220382I6")
    assert error.code == "credit_code_charset"
    assert "“I”" in error.messages[0]


def test_credit_code_region_must_be_digits():
    assert _error(validate_credit_code, "91AB03001922038216").code == "credit_code_region"


def test_gb11643_example_resident_id_derives_birth_date_and_sex():
    info = validate_resident_id("11010519491231002x")
    assert info.number == "11010519491231002X"
    assert info.birth_date == datetime.date(1949, 12, 31)
    assert info.sex == "F"  # 17th digit 2 is even


def test_resident_id_with_wrong_check_digit_names_the_expected_digit():
    error = _error(validate_resident_id, "110105194912310021")
    assert error.code == "id_check"
    assert "最后一位应为“X”" in error.messages[0]


def test_resident_id_with_impossible_birth_date_is_refused():
    assert _error(validate_resident_id, "110105194902300021").code == "id_birth_date"


def test_resident_id_with_superscript_digit_is_refused_not_crashing():
    # "²".isdigit() is True and int("²") raises; NFKC folds it to "2" so the check digit decides.
    assert _error(validate_resident_id, "11010519491231002²").code == "id_check"


def test_resident_id_starting_with_9_points_to_the_foreign_id_type():
    assert _error(validate_resident_id, "933156198501010018").code == "id_is_foreign"


def test_foreign_permanent_id_uses_the_same_check_digit():
    # 9 331 156 19850101 001 + check: Σ(a_i·w_i) mod 11 = 4 → "8" (computed by hand from GB 11643 weights)
    info = validate_foreign_permanent_id("933156198501010018")
    assert info.birth_date == datetime.date(1985, 1, 1)
    assert info.sex == "M"


def test_foreign_permanent_id_must_start_with_9():
    assert _error(validate_foreign_permanent_id, "110105194912310020").code == "foreign_id_prefix"


def test_foreign_permanent_id_with_wrong_check_digit_is_refused():
    assert _error(validate_foreign_permanent_id, "933156198501010017").code == "id_check"


def test_normalise_code_and_mask():
    assert normalise_code("ab 12-3") == "AB123"
    assert mask_identity("11010519491231002X") == "110***********002X"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91310105MA1FL5XQ3Y", ""),  # a valid credit code
        ("9131 0105 ma1f l5xq 3y", ""),  # as people type it
        ("31010519800315001X", ""),  # a valid resident ID
        ("933156198501010018", ""),  # a valid foreign permanent-residence ID
        ("91310105MA1FL5XQ3X", "统一社会信用代码校验位错误：最后一位应为“Y”，请核对是否输错。"),
        ("91310105MA1FL5XQ3O", "统一社会信用代码含有不允许的字符“O”（不使用 I、O、Z、S、V）。"),
        # 17 digits fit both kinds: the message gives both expected check characters
        ("310105198003150011", "校验位错误：作为统一社会信用代码最后一位应为“T”，作为身份证号码最后一位应为“X”，请核对是否输错。"),
        # no valid birth date, so not an identity number: a mistyped credit code
        ("310105198013150012", "统一社会信用代码校验位错误：最后一位应为“1”，请核对是否输错。"),
        ("310105800315001", ""),  # old 15-digit ID numbers have no check character: not checked
        ("E12345678", ""),  # passports: free text
    ],
)
def test_credit_list_codes_of_18_characters_must_carry_a_valid_check_character(code, problem):
    from core.identity import listed_code_problem

    assert listed_code_problem(code) == problem
