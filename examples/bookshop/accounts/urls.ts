/**
 * `/accounts/…`: sign-up and Django's auth views under Django's URL names (no namespace, so
 * the framework's views and email templates reverse 'password_reset_confirm' and the rest).
 */
import { LoginView, LogoutView, PasswordChangeDoneView, PasswordResetCompleteView, PasswordResetDoneView } from 'nuages/contrib/auth';
import { path } from 'nuages/urls';
import { register, ShopPasswordChangeView, ShopPasswordResetConfirmView, ShopPasswordResetView, staffHome } from './views.ts';

export const urlpatterns = [
  path('accounts/register/', register, { name: 'register' }),
  path('accounts/login/', LoginView.asView({ redirectAuthenticatedUser: true }), { name: 'login' }),
  path('accounts/logout/', LogoutView.asView(), { name: 'logout' }),
  path('accounts/password-change/', ShopPasswordChangeView.asView(), { name: 'password_change' }),
  path('accounts/password-change/done/', PasswordChangeDoneView.asView(), { name: 'password_change_done' }),
  path('accounts/password-reset/', ShopPasswordResetView.asView(), { name: 'password_reset' }),
  path('accounts/password-reset/done/', PasswordResetDoneView.asView(), { name: 'password_reset_done' }),
  path('accounts/password-reset/<uidb64>/<token>/', ShopPasswordResetConfirmView.asView(), { name: 'password_reset_confirm' }),
  path('accounts/password-reset/complete/', PasswordResetCompleteView.asView(), { name: 'password_reset_complete' }),
  path('staff/', staffHome, { name: 'staff' }),
];
