"""Migration and mobility: flows, dependence on foreign-trained staff, WHO Code reporting."""
