from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import TokenForm
from .policy import roles_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改"))
        return super().form_valid(form)


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {"memberships": roles_of(request.user)})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        _token, plain = services.token_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("令牌已创建。它只显示这一次，请立即复制保存。"))
        form = TokenForm()
    items = request.user.api_tokens.all()
    return render(request, "accounts/tokens.html", {"form": form, "tokens": items, "plain": plain})


@login_required
@require_POST
def token_revoke(request, pk: int):
    if services.token_revoke(user=request.user, token_id=pk):
        messages.success(request, _("令牌已撤销，使用它的程序将无法再访问"))
    return redirect("accounts:tokens")
