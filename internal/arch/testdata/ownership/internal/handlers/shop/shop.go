package shop

var q = "select count(*) from shop_orders join departments d on true"
