cat <<-EOF > /etc/app.conf
	password=${DB_PASSWORD}
	EOF
cat <<'RAW' >>/x
literal $X `y`
RAW
mysql -uroot -p"$MYSQL_PWD" <<< "show databases"
