from modeltranslation.translator import TranslationOptions, register

from .models import Framework, GoodPractice, Item, Phase, Principle, Topic


@register(Principle)
class PrincipleTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)


@register(Framework)
class FrameworkTranslation(TranslationOptions):
    fields = ("name",)


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("question", "guidance", "source")


@register(GoodPractice)
class GoodPracticeTranslation(TranslationOptions):
    fields = ("country", "text")
