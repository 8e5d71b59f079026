"""Database plumbing: engine, unit of work, kit tables and migrations."""

from sqlalchemy import MetaData

from platform_kit.db.engine import Database
from platform_kit.db.tables import add_kit_tables, kit_metadata_naming
from platform_kit.db.uow import UnitOfWork


def service_metadata() -> "MetaData":
    """A service's MetaData: naming conventions plus the kit's and the tenant tables."""
    from platform_kit.tenancy import add_tenant_table

    metadata = MetaData(naming_convention=kit_metadata_naming)
    add_kit_tables(metadata)
    add_tenant_table(metadata)
    return metadata


__all__ = ["Database", "UnitOfWork", "add_kit_tables", "kit_metadata_naming", "service_metadata"]
