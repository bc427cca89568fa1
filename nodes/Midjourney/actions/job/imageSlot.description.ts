/** The fields of one image slot (Describe's image, each of Blend's images): a URL or a binary field. */
export const imageSlotFields = [
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string' as const,
		default: '',
		placeholder: 'https://example.com/image.png',
		description: 'Public address of the image. Leave empty to use a binary field instead.',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string' as const,
		default: '',
		placeholder: 'data',
		hint: 'The name of the binary field of the input item that holds the image',
		description: 'Use an image from the input item instead of a URL. At most 10 MB.',
	},
];
