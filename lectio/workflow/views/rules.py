"""Institution rules, edited by administrators: new citations' status, copyright,
purchase ratios."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lectio.core.requests import AuthedHttpRequest
from lectio.workflow import rules
from lectio.workflow.forms import CopyrightRuleForm, PurchaseRatioForm, StatusRuleForm

FORMS = {
    "status": StatusRuleForm,
    "copyright": CopyrightRuleForm,
    "purchase": PurchaseRatioForm,
}


def _require_admin(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_institution_admin):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    kind = request.POST.get("rule_kind", "")
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    if request.method == "POST" and kind in FORMS:
        form = FORMS[kind](request.POST, prefix=kind)
        forms[kind] = form
        if form.is_valid():
            rules.rule_add(actor=request.user, kind=kind, data=form.cleaned_data)
            messages.success(request, _("Rule added."))
            return redirect("workflow:rules")
    return render(
        request,
        "workflow/rules.html",
        {"forms": forms, "tables": rules.rule_tables(), "nav": "rules"},
    )


@login_required
@require_POST
def rule_delete(request: AuthedHttpRequest, kind: str, rule_id: int) -> HttpResponse:
    _require_admin(request)
    if rules.rule_delete(actor=request.user, kind=kind, rule_id=rule_id):
        messages.success(request, _("Rule removed."))
    else:
        messages.error(request, _("No such rule."))
    return redirect("workflow:rules")


@login_required
@require_POST
def rule_move(request: AuthedHttpRequest, kind: str, rule_id: int) -> HttpResponse:
    _require_admin(request)
    rules.rule_move(
        actor=request.user,
        kind=kind,
        rule_id=rule_id,
        up=request.POST.get("direction") == "up",
    )
    return redirect("workflow:rules")
