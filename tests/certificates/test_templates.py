"""Certificate templates in the admin: bad placeholders or markup are rejected on save with a
clear Chinese message; a course finds its template (course, program, district default); the live
preview renders a sample certificate."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from lms.certificates.models import CertificateTemplate
from lms.certificates.placeholders import render_body, validate_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body, message", [
    ("{name}参加了{课程}", "未知占位符：{课程}"),
    ("{nmae}同志", "未知占位符：{nmae}"),
    ("{name!r}同志", "未知占位符：{name!r}"),
    ("{name:>10}同志", "未知占位符"),
    ("{name同志", "花括号"),
    ("name}同志", "花括号"),
    ("<strong>{name}同志", "标签未闭合：<strong>"),
    ("{name}</em>同志", "结束标签 </em>"),
    ("<script>alert(1)</script>", "不允许使用标签 <script>"),
    ('<span style="color:red">{name}</span>', "标签不能带属性"),
    ("   ", "正文不能为空"),
])
def test_it_rejects_bad_bodies_with_a_chinese_message(body, message):
    with pytest.raises(ValidationError) as error:
        validate_body(body)
    assert message in " ".join(error.value.messages)


def test_it_accepts_placeholders_markup_and_literal_braces():
    body = "<strong>{name}</strong>同志于{start_date}至{end_date}参加{course}，共{hours}学时。<br>编号{serial}，{issued_on}。{{注}}"
    validate_body(body)
    html = render_body(body, {"name": "<张>", "course": "课程", "hours": "6"})
    assert "<strong>&lt;张&gt;</strong>" in html and "{注}" in html


def form_data(**overrides):
    data = {"name": "示范模板", "title": "结业证书", "page_size": "A4", "orientation": "landscape",
            "font": "Noto Serif CJK SC", "body": "{name}同志完成{course}。", "issuing_organization": "中共示范区委组织部",
            "signatory_title": "", "signatory_name": "", "serial_prefix": "QX"}
    data.update(overrides)
    return data


def test_it_saves_a_template_in_the_admin_and_rejects_a_bad_one(client_for, training_office):
    client = client_for(training_office)
    add_url = reverse("wagtailsnippets_certificates_certificatetemplate:add")
    response = client.post(add_url, form_data(body="{name}同志完成{课程}。"))
    assert response.status_code == 200
    assert "未知占位符：{课程}" in response.content.decode()
    assert not CertificateTemplate.objects.exists()

    response = client.post(add_url, form_data())
    assert response.status_code == 302
    assert CertificateTemplate.objects.get().body == "{name}同志完成{course}。"


def test_it_keeps_the_admin_from_learners(client_for, secretary):
    response = client_for(secretary).get(reverse("wagtailsnippets_certificates_certificatetemplate:list"))
    assert response.status_code in (302, 403)


def test_it_chooses_the_course_then_program_then_default_template(course, program, cert_template):
    assert CertificateTemplate.for_course(course) == cert_template
    for_program = CertificateTemplate.objects.create(name="项目模板")
    for_program.programs.add(program)
    assert CertificateTemplate.for_course(course) == for_program
    for_course = CertificateTemplate.objects.create(name="课程模板")
    for_course.courses.add(course)
    assert CertificateTemplate.for_course(course) == for_course


def test_it_refuses_a_second_district_default(cert_template):
    second = CertificateTemplate(name="另一个默认", is_district_default=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "is_district_default" in error.value.message_dict


def test_it_previews_a_sample_certificate(cert_template, training_office):
    request = RequestFactory().get("/")
    request.user = training_office.user
    response = cert_template.serve_preview(request, "")
    response.render()
    assert b"data:image/png;base64," in response.content
    pdf = cert_template.serve_preview(request, "pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
