"""Shared builders for seeded and admin-created records (lines, totals, ids, org)."""

from __future__ import annotations

import uuid
from datetime import datetime

from xero_sandbox.store import Record

TIMEZONES = {
    "Pacific/Auckland": "NEWZEALANDSTANDARDTIME",
    "Australia/Sydney": "AUSEASTERNSTANDARDTIME",
    "Australia/Melbourne": "AUSEASTERNSTANDARDTIME",
    "Australia/Brisbane": "EAUSTRALIASTANDARDTIME",
    "Australia/Perth": "WAUSTRALIASTANDARDTIME",
    "Europe/London": "GMTSTANDARDTIME",
    "Europe/Berlin": "WEUROPESTANDARDTIME",
    "America/New_York": "EASTERNSTANDARDTIME",
    "America/Chicago": "CENTRALSTANDARDTIME",
    "America/Denver": "MOUNTAINSTANDARDTIME",
    "America/Los_Angeles": "PACIFICSTANDARDTIME",
    "Asia/Singapore": "SINGAPORESTANDARDTIME",
    "Asia/Tokyo": "TOKYOSTANDARDTIME",
    "UTC": "UTC",
}
_COUNTRY = {"NZD": ("NZ", "NZ"), "AUD": ("AU", "AU"), "GBP": ("GB", "UK"), "USD": ("US", "US")}


def stable_id(namespace: str, *parts: object) -> str:
    """A deterministic UUID for a seeded record."""
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"xero-sandbox/{namespace}/" + "/".join(map(str, parts)))
    )


def line_item(
    item: Record | None,
    description: str,
    quantity: float,
    unit_amount: float,
    tax_rate: float,
    account_code: str,
    tax_type: str,
    line_id: str | None = None,
) -> Record:
    """One LineItem with amounts (line amounts exclude tax)."""
    amount = round(quantity * unit_amount, 2)
    line: Record = {
        "LineItemID": line_id or str(uuid.uuid4()),
        "Description": description,
        "Quantity": quantity,
        "UnitAmount": unit_amount,
        "AccountCode": account_code,
        "TaxType": tax_type,
        "TaxAmount": round(amount * tax_rate, 2),
        "LineAmount": amount,
    }
    if item is not None:
        line["ItemCode"] = item["Code"]
        line["Item"] = {"ItemID": item["ItemID"], "Code": item["Code"], "Name": item["Name"]}
    return line


def totals(lines: list[Record]) -> dict[str, float]:
    """SubTotal/TotalTax/Total of Exclusive lines."""
    sub = round(sum(line["LineAmount"] for line in lines), 2)
    tax = round(sum(line["TaxAmount"] for line in lines), 2)
    return {"SubTotal": sub, "TotalTax": tax, "Total": round(sub + tax, 2), "TotalDiscount": 0.0}


def contact_ref(contact: Record) -> Record:
    """The contact summary embedded in transactions."""
    return {k: contact[k] for k in ("ContactID", "Name", "ContactStatus") if k in contact}


def organisation_record(
    tenant_id: str, name: str, currency: str, time_zone: str, created: datetime, seed: int
) -> Record:
    """The ``/Organisation`` record (``_TimeZone`` keeps the IANA zone internally)."""
    country, version = _COUNTRY.get(currency, ("NZ", "GLOBAL"))
    return {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": currency,
        "CountryCode": country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS" if country == "AU" else "INVOICE",
        "SalesTaxPeriod": "TWOMONTHS",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": created,
        "Timezone": TIMEZONES.get(time_zone, "UTC"),
        "OrganisationEntityType": "COMPANY",
        "ShortCode": f"!{stable_id('short', seed)[:5]}",
        "Class": "PREMIUM",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Retail",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
        "_TimeZone": time_zone,
    }
