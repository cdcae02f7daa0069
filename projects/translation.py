from modeltranslation.translator import TranslationOptions, register

from .models import Region, Sector


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name",)


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name",)
