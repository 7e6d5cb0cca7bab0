.PHONY: run test setup
run:    ## set up and serve the portal with the seed programmes and demo users
	scripts/run.sh
test:   ## set up and run the whole test suite
	scripts/test.sh
setup:
	scripts/setup.sh
