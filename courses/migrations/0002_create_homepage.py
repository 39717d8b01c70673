"""Replace Wagtail's default welcome page with the Touyan catalogue home page and make it the
default site's root, so a fresh database serves the catalogue at /."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("courses.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    Page.objects.filter(content_type__app_label="wagtailcore", content_type__model="page", depth=2).delete()
    homepage_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="courses")
    homepage = HomePage.objects.create(
        title="头雁学习平台", draft_title="头雁学习平台", slug="home", content_type=homepage_type,
        path="00010001", depth=2, numchild=0, url_path="/home/", live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page_id=homepage.pk, is_default_site=True,
                        site_name="头雁 Touyan")


def remove_homepage(apps, schema_editor):
    apps.get_model("courses.HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial"), ("wagtailcore", "0002_initial_data")]
    operations = [migrations.RunPython(create_homepage, remove_homepage)]
