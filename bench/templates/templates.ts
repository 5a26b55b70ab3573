/** The product list page of the template benchmark, in each engine's syntax. */

/** Django template language (Nuages and Django itself). */
export const django = {
  'base.html':
    '<!doctype html>\n<html><head><title>{% block title %}Shop{% endblock %}</title></head>\n<body>\n' +
    '<header>{{ site.name|upper }}</header>\n<main>{% block content %}{% endblock %}</main>\n' +
    '<footer>{% block footer %}&copy; {{ site.year }} {{ site.name }}{% endblock %}</footer>\n</body></html>\n',
  'list.html':
    '{% extends "base.html" %}\n{% block title %}{{ category.name|title }} - {{ block.super }}{% endblock %}\n' +
    '{% block content %}<h1>{{ category.name|title }}</h1>\n<ul class="products">\n' +
    '{% for p in products %}{% include "item.html" %}{% empty %}<li>No products</li>{% endfor %}</ul>\n{% endblock %}\n',
  'item.html':
    '<li class="{% if forloop.counter|divisibleby:2 %}even{% else %}odd{% endif %}{% if p.on_sale %} sale{% endif %}">' +
    '<a href="/p/{{ p.slug }}/">{{ p.name|truncatechars:30 }}</a> <span class="price">{{ p.price|floatformat:2 }}</span>' +
    '<p>{{ p.description|default:"No description"|truncatewords:10 }}</p><span>{{ p.stock }} item{{ p.stock|pluralize }}</span></li>\n',
};

/** Nunjucks (Jinja-like). */
export const nunjucks = {
  'base.html':
    '<!doctype html>\n<html><head><title>{% block title %}Shop{% endblock %}</title></head>\n<body>\n' +
    '<header>{{ site.name|upper }}</header>\n<main>{% block content %}{% endblock %}</main>\n' +
    '<footer>{% block footer %}&copy; {{ site.year }} {{ site.name }}{% endblock %}</footer>\n</body></html>\n',
  'list.html':
    '{% extends "base.html" %}\n{% block title %}{{ category.name|title }} - {{ super() }}{% endblock %}\n' +
    '{% block content %}<h1>{{ category.name|title }}</h1>\n<ul class="products">\n' +
    '{% for p in products %}{% include "item.html" %}{% else %}<li>No products</li>{% endfor %}</ul>\n{% endblock %}\n',
  'item.html':
    '<li class="{% if loop.index is divisibleby(2) %}even{% else %}odd{% endif %}{% if p.on_sale %} sale{% endif %}">' +
    '<a href="/p/{{ p.slug }}/">{{ p.name|truncatechars(30) }}</a> <span class="price">{{ p.price|floatformat(2) }}</span>' +
    '<p>{{ p.description|default("No description", true)|truncatewords(10) }}</p><span>{{ p.stock }} item{{ p.stock|pluralize }}</span></li>\n',
};

/** LiquidJS. */
export const liquid = {
  'base.liquid':
    '<!doctype html>\n<html><head><title>{% block title %}Shop{% endblock %}</title></head>\n<body>\n' +
    '<header>{{ site.name | upcase }}</header>\n<main>{% block content %}{% endblock %}</main>\n' +
    '<footer>{% block footer %}&copy; {{ site.year }} {{ site.name }}{% endblock %}</footer>\n</body></html>\n',
  'list.liquid':
    '{% layout "base.liquid" %}\n{% block title %}{{ category.name | title }} - Shop{% endblock %}\n' +
    '{% block content %}<h1>{{ category.name | title }}</h1>\n<ul class="products">\n' +
    '{% for p in products %}{% include "item.liquid", p: p, forloop: forloop %}{% else %}<li>No products</li>{% endfor %}</ul>\n{% endblock %}\n',
  'item.liquid':
    '<li class="{% assign m = forloop.index | modulo: 2 %}{% if m == 0 %}even{% else %}odd{% endif %}{% if p.on_sale %} sale{% endif %}">' +
    '<a href="/p/{{ p.slug }}/">{{ p.name | truncatechars: 30 }}</a> <span class="price">{{ p.price | floatformat: 2 }}</span>' +
    '<p>{{ p.description | default: "No description" | truncatewords: 10 }}</p><span>{{ p.stock }} item{{ p.stock | pluralize }}</span></li>\n',
};

/** Eta (EJS-like, JavaScript inside tags). */
export const eta = {
  'base.eta':
    '<!doctype html>\n<html><head><title><%~ it.title %></title></head>\n<body>\n' +
    '<header><%= it.site.name.toUpperCase() %></header>\n<main><%~ it.body %></main>\n' +
    '<footer>&copy; <%= it.site.year %> <%= it.site.name %></footer>\n</body></html>\n',
  'list.eta':
    '<% layout("@base.eta", { ...it, title: it.h.escape(it.h.title(it.category.name)) + " - Shop" }) %>' +
    '<h1><%= it.h.title(it.category.name) %></h1>\n<ul class="products">\n' +
    '<% if (it.products.length === 0) { %><li>No products</li><% } %>' +
    '<% it.products.forEach((p, i) => { %><%~ include("@item.eta", { p, i, h: it.h }) %><% }) %></ul>\n',
  'item.eta':
    '<li class="<%= (it.i + 1) % 2 === 0 ? "even" : "odd" %><%= it.p.on_sale ? " sale" : "" %>">' +
    '<a href="/p/<%= it.p.slug %>/"><%= it.h.truncatechars(it.p.name, 30) %></a> <span class="price"><%= it.h.floatformat(it.p.price, 2) %></span>' +
    '<p><%= it.h.truncatewords(it.p.description || "No description", 10) %></p><span><%= it.p.stock %> item<%= it.h.pluralize(it.p.stock) %></span></li>\n',
};
