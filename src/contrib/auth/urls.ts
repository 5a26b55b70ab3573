/**
 * The auth views under Django's URL names (django.contrib.auth.urls), to include under a
 * prefix: `path('accounts/', include(authUrls))` gives /accounts/login/, /accounts/logout/,
 * /accounts/password_change/, /accounts/password_reset/, /accounts/reset/<uidb64>/<token>/, …
 */
import { path } from '../../urls/index.ts';
import {
  LoginView,
  LogoutView,
  PasswordChangeDoneView,
  PasswordChangeView,
  PasswordResetCompleteView,
  PasswordResetConfirmView,
  PasswordResetDoneView,
  PasswordResetView,
} from './views.ts';

export const authUrls = [
  path('login/', LoginView.asView(), { name: 'login' }),
  path('logout/', LogoutView.asView(), { name: 'logout' }),
  path('password_change/', PasswordChangeView.asView(), { name: 'password_change' }),
  path('password_change/done/', PasswordChangeDoneView.asView(), { name: 'password_change_done' }),
  path('password_reset/', PasswordResetView.asView(), { name: 'password_reset' }),
  path('password_reset/done/', PasswordResetDoneView.asView(), { name: 'password_reset_done' }),
  path('reset/<uidb64>/<token>/', PasswordResetConfirmView.asView(), { name: 'password_reset_confirm' }),
  path('reset/done/', PasswordResetCompleteView.asView(), { name: 'password_reset_complete' }),
];
