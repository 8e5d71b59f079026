"""Tables of api-gateway's own database (plus the kit's, declared by ``service_metadata``)."""

from platform_kit.db import service_metadata

metadata = service_metadata()
