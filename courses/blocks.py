"""StreamField blocks shared by every page type that carries rich content."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    source = blocks.CharBlock(required=False, label=_("Source"))

    class Meta:
        icon = "openquote"
        template = "courses/blocks/quote_block.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    class Meta:
        icon = "doc-full"
        template = "courses/blocks/document_block.html"


class ContentStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", label=_("Heading"),
                               template="courses/blocks/heading_block.html")
    paragraph = blocks.RichTextBlock(icon="pilcrow", label=_("Paragraph"))
    image = ImageBlock(label=_("Image"))
    document = DocumentBlock(label=_("Document"))
    embed = EmbedBlock(icon="media", label=_("Embedded video or page"), max_width=960)
    quote = QuoteBlock(label=_("Quote"))
