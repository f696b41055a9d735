"""Money helpers: integers of minor units plus a lowercase ISO currency, shown with Babel."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_name, get_currency_symbol
from django.conf import settings
from django.utils.translation import get_language, to_locale

# Stripe's zero-decimal currencies: an amount of 500 JPY is ¥500, not ¥5.00.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
        "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    }
)  # fmt: skip


def currency_decimals(currency: str) -> int:
    """How many digits after the decimal point the currency's major unit has."""
    return 0 if currency.lower() in ZERO_DECIMAL_CURRENCIES else 2


def to_minor_units(amount: Decimal, *, currency: str) -> int:
    """Decimal major units to integer minor units; the caller has checked the decimals."""
    return int(amount.scaleb(currency_decimals(currency)))


def to_major_units(amount_minor: int, *, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-currency_decimals(currency))


def major_units_text(amount_minor: int, *, currency: str) -> str:
    """`500` eur -> "5", `750` eur -> "7.50": the plain text a reader would type."""
    major = to_major_units(amount_minor, currency=currency)
    if major == major.to_integral_value():
        return str(int(major))
    return f"{major:.{currency_decimals(currency)}f}"


def babel_locale() -> str:
    """Babel's locale for the active language: "en_GB" for English, "ru_RU" for Russian."""
    language = get_language() or settings.LANGUAGE_CODE
    return settings.BABEL_LOCALES.get(language) or to_locale(language)


def money_format(amount_minor: int, *, currency: str, trim_zero_cents: bool = True) -> str:
    """ "€5", "€7.50", "US$10,000": whole amounts lose their ".00" when trim_zero_cents."""
    major = to_major_units(amount_minor, currency=currency)
    code = currency.upper()
    locale = babel_locale()
    if trim_zero_cents and major == major.to_integral_value():
        return format_currency(
            major, code, format=_whole_pattern(locale), currency_digits=False, locale=locale
        )
    return format_currency(major, code, locale=locale)


def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without decimals: "¤#,##0" in English, "#,##0 ¤" in
    Russian (the symbol goes where the language puts it)."""
    standard: str = Locale.parse(locale).currency_formats["standard"].pattern
    return standard.split(";")[0].replace("#,##0.00", "#,##0")


def currency_symbol_amount(major: int, *, currency: str) -> str:
    """A limit given in whole major units (settings' minimum and maximum), formatted."""
    return money_format(major * 10 ** currency_decimals(currency), currency=currency)


def currency_label(currency: str) -> str:
    """ "Euro (€)", "US Dollar (US$)", "British Pound (£)"."""
    code, locale = currency.upper(), babel_locale()
    name = get_currency_name(code, locale=locale)
    return f"{name} ({get_currency_symbol(code, locale=locale)})"
