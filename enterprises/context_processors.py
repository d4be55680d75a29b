from django.core.cache import cache

from .models import Enterprise


def demo_banner(request) -> dict:
    """Whether synthetic demo enterprises are loaded, so every page can say the data is not real. Cached briefly:
    it is asked on every page and changes only when demo data is loaded or removed."""
    loaded = cache.get("tidu:demo-loaded")
    if loaded is None:
        loaded = Enterprise.objects.filter(is_synthetic=True).exists()
        cache.set("tidu:demo-loaded", loaded, 60)
    return {"demo_data_loaded": loaded}
