import pytest

from people.masking import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("fn", "value", "masked"),
    [
        (mask_phone, "13912345678", "139****5678"),
        (mask_phone, "12345", "*****"),
        (mask_id_number, "350526199001011234", "3505**********1234"),
        (mask_name, "周建湘", "周**"),
        (mask_name, "谭", "谭"),
        (mask_address, "虎踞镇黄石村第三组12号", "虎踞镇黄石村****"),
        (mask_phone, "", ""),
    ],
)
def test_personal_data_is_masked(fn, value, masked):
    assert fn(value) == masked
