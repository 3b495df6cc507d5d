from django.urls import path

from .views import cases

urlpatterns = [
    path("cases/mine/", cases.my_cases, name="my_cases"),
    path("units/<int:unit_pk>/cases/assign/", cases.case_assign, name="case_assign"),
    path("units/<int:unit_pk>/load/", cases.member_load, name="member_load"),
]
