/** The catalogue's URLs, included under the 'catalog' namespace. */
import { path } from 'nuages/urls';
import { apiBooks, authorList, bookCreate, bookDetail, bookEdit, bookList, contact, home, productDetail, productList } from './views.ts';

export const appName = 'catalog';

export const urlpatterns = [
  path('', home, { name: 'home' }),
  path('books/', bookList, { name: 'book-list' }),
  path('books/<int:id>/', bookDetail, { name: 'book-detail' }),
  path('authors/', authorList, { name: 'author-list' }),
  path('api/books/', apiBooks, { name: 'api-books' }),
  path('products/', productList, { name: 'product-list' }),
  path('products/<slug:sku>/', productDetail, { name: 'product-detail' }),
  path('contact/', contact, { name: 'contact' }),
  path('staff/books/new/', bookCreate, { name: 'book-create' }),
  path('staff/books/<int:id>/edit/', bookEdit, { name: 'book-edit' }),
];
