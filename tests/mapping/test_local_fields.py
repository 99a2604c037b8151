from __future__ import annotations

from forcebridge.mapping.local_fields import Family, LocalField, LocalFields, LocalType


def test_email_phone_url_and_choice_fields_hold_text() -> None:
    text_like = {t for t in LocalType if t.family is Family.TEXT}

    assert text_like == {
        LocalType.TEXT,
        LocalType.EMAIL,
        LocalType.PHONE,
        LocalType.URL,
        LocalType.CHOICE,
    }
    assert LocalType.DATETIME.family is Family.DATETIME


def test_fields_are_looked_up_by_their_exact_name() -> None:
    fields = LocalFields((LocalField("region", LocalType.TEXT, "Region"),))

    assert fields.get("region") is not None
    assert fields.get("Region") is None
    assert [f.name for f in fields] == ["region"]
