"""Customer records in the admin."""

from django.contrib import admin

from kefu.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("account_number", "name", "phone", "district", "area_class", "value_tier")
    list_filter = ("area_class", "category", "important_class", "value_tier", "district")
    search_fields = ("account_number", "name", "phone", "address")
