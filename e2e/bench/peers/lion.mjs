// Lion's accordion, registered as <lion-accordion>. Lion is unstyled.
import '@lion/ui/define/lion-accordion.js'
