.PHONY: run test setup messages
run:    ## set up and serve the portal with the seed programmes and demo users
	scripts/run.sh
test:   ## set up and run the whole test suite
	scripts/test.sh
setup:
	scripts/setup.sh
messages:  ## refresh the English catalogue (locale/en) after adding strings; then translate and compile
	.venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=node_modules --ignore=test-artifacts --ignore=applications/locale --no-obsolete
	.venv/bin/python manage.py compilemessages -l en --ignore=.venv
